package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.auth.CallerAuthenticator;
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
 * GET /oauth2/upstream/{upstream}/callback: the upstream's answer. On success the browser gets its session (the
 * asc_auth_key cookie, as from any login front end), loses the used state cookie, and continues the sign-in
 * hand-off's link back to the authorization request; on any failure a page saying what failed, and no session.
 */
public final class FinishUpstreamSignInHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final BrokeredSignIn signIn;

    public FinishUpstreamSignInHandler() {
        this(Services.production());
    }

    public FinishUpstreamSignInHandler(Services services) {
        this.services = services;
        this.signIn = services.brokeredSignIn();
        services.sessions();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("FinishUpstreamSignIn", ErrorFormat.OAUTH, () -> {
            ApiRequest request = new ApiRequest(event);
            String issuer = Issuer.of(services.settings(), request);
            String upstream = UpstreamSignInRoute.upstreamId(request);
            try {
                var finished = signIn.finish(upstream, request.queryParameters(),
                        request.cookie(BrokeredSignIn.STATE_COOKIE), issuer);
                String session = CallerAuthenticator.DOCSPACE_COOKIE + "=" + finished.session().credential()
                        + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + finished.session().expiresIn()
                        + (issuer.startsWith("https://") ? "; Secure" : "");
                return UpstreamSignInRoute.withCookies(ApiResponse.redirect(finished.returnTo()),
                        List.of(session, UpstreamSignInRoute.stateCookie(issuer, upstream, "", 0)));
            } catch (SignInFailure failure) {
                return UpstreamSignInRoute.failed("callback", upstream, issuer, failure);
            }
        });
    }
}
