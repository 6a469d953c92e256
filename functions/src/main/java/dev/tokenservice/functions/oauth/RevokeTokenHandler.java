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
import dev.tokenservice.oauth.token.Revocation;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/revoke (RFC 7009): 200 with an empty body whether or not the token was known. */
public final class RevokeTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final Revocation revocation;

    public RevokeTokenHandler() {
        this(Services.production());
    }

    public RevokeTokenHandler(Services services) {
        this.services = services;
        this.revocation = services.revocation();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("RevokeToken", ErrorFormat.OAUTH, () -> {
            TokenRequest request = TokenRequest.parse(new ApiRequest(event));
            revocation.revoke(request, Issuer.of(services.settings(), request.http()));
            return ApiResponse.empty(200);
        });
    }
}
