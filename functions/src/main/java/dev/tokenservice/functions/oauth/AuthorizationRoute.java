package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.authorization.AuthorizationEndpoint;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
import dev.tokenservice.pages.AuthorizationPages;
import dev.tokenservice.sessions.SessionCheck;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;

/**
 * What GET and POST /oauth2/authorize share (OpenID Connect Core §3.1.2.1: the endpoint MUST support both): an
 * authorization request by query or form, and the consent page's decision, a form carrying its ticket. Only the
 * browser's session (the asc_auth_key cookie holding a session credential) signs a person in here; an access token
 * in the cookie or an Authorization header is nobody. Each route has its own handler class, so that each
 * function's AWS calls are its own (IamPolicyTest).
 */
final class AuthorizationRoute {

    private final Services services;
    private final AuthorizationEndpoint authorization;

    AuthorizationRoute(Services services) {
        this.services = services;
        this.authorization = services.authorizationEndpoint();
        services.sessions();
    }

    APIGatewayProxyResponseEvent answer(String name, APIGatewayProxyRequestEvent event) {
        return Endpoint.run(name, ErrorFormat.OAUTH, () -> {
            ApiRequest http = new ApiRequest(event);
            boolean posted = "POST".equals(http.method());
            if (posted && !http.hasContentType("application/x-www-form-urlencoded")) {
                return AuthorizationPages.problem(415, "the authorization request or consent must be posted as a form");
            }
            String issuer = Issuer.of(services.settings(), http);
            try {
                Map<String, List<String>> parameters = AuthorizationProblem.shownIfMalformed(
                        posted ? http::formParameters : http::queryParameters);
                SessionCheck browser = services.browserSession(http);
                if (posted && parameters.containsKey("ticket")) {
                    if (browser.session().isEmpty()) {
                        return AuthorizationPages.signInRequired(browser.refusal());
                    }
                    var redirect = authorization.decide(single(parameters, "ticket"), single(parameters, "decision"),
                            browser.session().get(), issuer);
                    return ApiResponse.redirect(redirect.location());
                }
                var outcome = authorization.authorize(parameters, browser, issuer);
                if (outcome instanceof AuthorizationEndpoint.ConsentPage page) {
                    return AuthorizationPages.consent(page.request(), page.ticket(),
                            browser.session().orElseThrow().displayName());
                }
                return ApiResponse.redirect(((AuthorizationEndpoint.Redirect) outcome).location());
            } catch (AuthorizationProblem problem) {
                return AuthorizationPages.of(problem, issuer);
            }
        });
    }

    private static String single(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        if (values == null || values.size() != 1) {
            throw AuthorizationProblem.shownToUser("the consent form must send " + name + " exactly once");
        }
        return values.get(0);
    }
}
