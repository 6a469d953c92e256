package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
import dev.tokenservice.pages.AuthorizationPages;
import dev.tokenservice.sessions.SessionCheck;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;

/**
 * What the browser-facing page routes (/oauth2/authorize, /oauth2/device, /oauth2/logout) share: a request by query
 * (GET) or form (POST, 415 otherwise), the issuer it came in under, the browser's session (only a session credential
 * in the asc_auth_key cookie signs a person in), and a problem the person must see as a page, or, when the client's
 * redirect URI can be trusted, as a redirect back to it.
 */
final class BrowserRoute {

    /** One request to a page route, read. */
    record Request(ApiRequest http, boolean posted, String issuer, Map<String, List<String>> parameters,
            SessionCheck browser) {
    }

    /** What the route answers to a request. */
    interface Page {
        APIGatewayProxyResponseEvent answer(Request request);
    }

    private BrowserRoute() {
    }

    /** @param posting what a POST must be sent as a form, as the 415 page names it */
    static APIGatewayProxyResponseEvent answer(String name, APIGatewayProxyRequestEvent event, Services services,
            String posting, Page page) {
        return Endpoint.run(name, ErrorFormat.OAUTH, () -> {
            ApiRequest http = new ApiRequest(event);
            boolean posted = "POST".equals(http.method());
            if (posted && !http.hasContentType("application/x-www-form-urlencoded")) {
                return AuthorizationPages.problem(415, posting + " must be posted as a form");
            }
            String issuer = Issuer.of(services.settings(), http);
            try {
                Map<String, List<String>> parameters = AuthorizationProblem.shownIfMalformed(
                        posted ? http::formParameters : http::queryParameters);
                return page.answer(new Request(http, posted, issuer, parameters, services.browserSession(http)));
            } catch (AuthorizationProblem problem) {
                return AuthorizationPages.of(problem, issuer);
            }
        });
    }

    /** A form field sent exactly once; an error page naming the form otherwise. */
    static String single(Map<String, List<String>> form, String name, String formName) {
        List<String> values = form.get(name);
        if (values == null || values.size() != 1) {
            throw AuthorizationProblem.shownToUser("the " + formName + " must send " + name + " exactly once");
        }
        return values.get(0);
    }
}
