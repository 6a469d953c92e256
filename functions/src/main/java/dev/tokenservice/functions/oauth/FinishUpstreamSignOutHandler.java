package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.broker.SignInFailure;
import dev.tokenservice.broker.UpstreamSignOut;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.pages.AuthorizationPages;
import dev.tokenservice.wiring.Services;
import java.util.List;

/**
 * GET /oauth2/upstream/{upstream}/signed-out: the upstream has signed the person out too and sends the browser back;
 * it goes on to where this service's logout was going (the client's registered logout URI with its state), or to the
 * signed-out page. Only a state this service wrote leads anywhere; anything else is a page.
 */
public final class FinishUpstreamSignOutHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final UpstreamSignOut signOut;

    public FinishUpstreamSignOutHandler() {
        this(Services.production());
    }

    public FinishUpstreamSignOutHandler(Services services) {
        this.services = services;
        this.signOut = services.upstreamSignOut();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("FinishUpstreamSignOut", ErrorFormat.OAUTH, () -> {
            ApiRequest request = new ApiRequest(event);
            String issuer = Issuer.of(services.settings(), request);
            String upstream = UpstreamSignInRoute.upstreamId(request);
            List<String> state = request.queryParameters().get("state");
            try {
                return signOut.back(upstream, state == null || state.size() != 1 ? null : state.get(0))
                        .map(ApiResponse::redirect)
                        .orElseGet(() -> AuthorizationPages.loggedOut(null, true));
            } catch (SignInFailure failure) {
                return UpstreamSignInRoute.failed("signed-out", upstream, issuer, failure);
            }
        });
    }
}
