package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.broker.BrokeredSignIn;
import dev.tokenservice.broker.SignInFailure;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.wiring.Services;
import java.util.List;

/**
 * GET /oauth2/upstream/{upstream}/start: the login front end of the sign-in hand-off when people sign in with an
 * upstream OpenID provider. Sends the browser to the upstream with state, nonce and PKCE, bound to this browser
 * by a short-lived signed cookie that carries the hand-off's link back.
 */
public final class StartUpstreamSignInHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final BrokeredSignIn signIn;

    public StartUpstreamSignInHandler() {
        this(Services.production());
    }

    public StartUpstreamSignInHandler(Services services) {
        this.services = services;
        this.signIn = services.brokeredSignIn();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("StartUpstreamSignIn", ErrorFormat.OAUTH, () -> {
            ApiRequest request = new ApiRequest(event);
            String issuer = Issuer.of(services.settings(), request);
            String upstream = UpstreamSignInRoute.upstreamId(request);
            try {
                var started = signIn.start(upstream, request.queryParameters(), issuer);
                return UpstreamSignInRoute.withCookies(ApiResponse.redirect(started.location()),
                        List.of(UpstreamSignInRoute.stateCookie(issuer, upstream, started.stateCookie(),
                                BrokeredSignIn.STATE_LIFETIME_SECONDS)));
            } catch (SignInFailure failure) {
                return UpstreamSignInRoute.failed("start", upstream, issuer, failure);
            }
        });
    }
}
