package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.AuthorizationEndpoint;
import dev.tokenservice.oauth.AuthorizationPages;
import dev.tokenservice.oauth.AuthorizationProblem;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;

/** POST /oauth2/authorize: the consent page's Approve or Deny, answered by a redirect to the client. */
public final class DecideConsentHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final AuthorizationEndpoint authorization;

    public DecideConsentHandler() {
        this(Services.production());
    }

    public DecideConsentHandler(Services services) {
        this.services = services;
        this.authorization = services.authorizationEndpoint();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("DecideConsent", ErrorFormat.OAUTH, () -> {
            ApiRequest http = new ApiRequest(event);
            if (!http.hasContentType("application/x-www-form-urlencoded")) {
                return AuthorizationPages.problem(415, "the consent form must be posted as a form");
            }
            Caller user;
            try {
                user = services.authenticate(http);
            } catch (ApiError notSignedIn) {
                return AuthorizationPages.signInRequired();
            }
            String issuer = Issuer.of(services.settings(), http);
            try {
                Map<String, List<String>> form = AuthorizationProblem.shownIfMalformed(http::formParameters);
                var redirect = authorization.decide(single(form, "ticket"), single(form, "decision"), user, issuer);
                return ApiResponse.redirect(redirect.location());
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
