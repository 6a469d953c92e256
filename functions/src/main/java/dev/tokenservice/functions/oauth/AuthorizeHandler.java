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

/** GET /oauth2/authorize: straight back to the client with a code, or the consent page. */
public final class AuthorizeHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final AuthorizationEndpoint authorization;

    public AuthorizeHandler() {
        this(Services.production());
    }

    public AuthorizeHandler(Services services) {
        this.services = services;
        this.authorization = services.authorizationEndpoint();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("Authorize", ErrorFormat.OAUTH, () -> {
            ApiRequest http = new ApiRequest(event);
            String issuer = Issuer.of(services.settings(), http);
            try {
                var request = authorization.validate(AuthorizationProblem.shownIfMalformed(http::queryParameters));
                Caller user = signedInUser(http);
                var outcome = user == null ? authorization.withoutUser(request, issuer)
                        : authorization.start(request, user, issuer);
                if (outcome instanceof AuthorizationEndpoint.ConsentPage page) {
                    return AuthorizationPages.consent(page.request(), page.ticket(), user.displayName());
                }
                if (outcome instanceof AuthorizationEndpoint.SignInPage signIn) {
                    return AuthorizationPages.signInRequired(signIn.request().client());
                }
                return ApiResponse.redirect(((AuthorizationEndpoint.Redirect) outcome).location());
            } catch (AuthorizationProblem problem) {
                return AuthorizationPages.of(problem, issuer);
            }
        });
    }

    private Caller signedInUser(ApiRequest http) {
        try {
            return services.authenticate(http);
        } catch (ApiError notSignedIn) {
            return null;
        }
    }
}
