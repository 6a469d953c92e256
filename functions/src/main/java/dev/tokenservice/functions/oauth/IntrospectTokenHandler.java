package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Introspection;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.TokenRequest;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/introspect (RFC 7662): an authenticated client asks whether a token is live. */
public final class IntrospectTokenHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final Introspection introspection;

    public IntrospectTokenHandler() {
        this(Services.production());
    }

    public IntrospectTokenHandler(Services services) {
        this.services = services;
        this.introspection = services.introspection();
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
