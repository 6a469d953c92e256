package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.authorization.PushedAuthorizationRequests;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.wiring.Priming;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/par (RFC 9126): an authenticated client pushes its authorization request and gets a request_uri. */
public final class PushAuthorizationRequestHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final PushedAuthorizationRequests pushedRequests;

    public PushAuthorizationRequestHandler() {
        this(Services.production());
        Priming.register("PushAuthorizationRequest", this::prime);
    }

    public PushAuthorizationRequestHandler(Services services) {
        this.services = services;
        this.pushedRequests = services.pushedAuthorizationRequests();
    }

    /** Before the SnapStart snapshot: a push by a client that cannot exist (one GetItem, 401, not counted). */
    void prime() {
        services.failedAuthenticationThrottle().withoutCounting(() -> handleRequest(Priming.formPost("/oauth2/par", "response_type=code"), null));
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("PushAuthorizationRequest", ErrorFormat.OAUTH, () -> {
            TokenRequest request = TokenRequest.parse(new ApiRequest(event));
            var pushed = pushedRequests.push(request, Issuer.of(services.settings(), request.http()));
            return ApiResponse.json(201, pushed.toJson(), ApiResponse.noStore());
        });
    }
}
