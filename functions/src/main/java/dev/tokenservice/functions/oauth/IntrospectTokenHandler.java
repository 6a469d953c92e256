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
import dev.tokenservice.oauth.token.Introspection;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.wiring.Priming;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/introspect (RFC 7662): an authenticated client asks whether a token is live. */
public final class IntrospectTokenHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final Introspection introspection;

    public IntrospectTokenHandler() {
        this(Services.production());
        Priming.register("IntrospectToken", this::prime);
    }

    public IntrospectTokenHandler(Services services) {
        this.services = services;
        this.introspection = services.introspection();
    }

    /**
     * Before the SnapStart snapshot: an introspection by a client that cannot exist of a token-shaped value (refused
     * locally; one BatchGetItem for the client row, answered 401, the failure not counted), then the token-state read
     * for a token that was never issued (one BatchGetItem). Reads only.
     */
    void prime() {
        services.failedAuthenticationThrottle().withoutCounting(() ->
                handleRequest(Priming.formPost("/oauth2/introspect", "token=eyJhbGciOiJSUzI1NiJ9.e30.cHJpbWluZw"), null));
        services.tokenRepository().accessTokenState("priming", Priming.NO_CLIENT, Priming.NO_CLIENT, null);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("IntrospectToken", ErrorFormat.OAUTH, () -> {
            TokenRequest request = TokenRequest.parse(new ApiRequest(event));
            var body = introspection.introspect(request, Issuer.of(services.settings(), request.http()));
            return ApiResponse.json(200, body, ApiResponse.noStore());
        });
    }
}
