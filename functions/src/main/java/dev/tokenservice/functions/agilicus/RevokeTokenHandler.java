package dev.tokenservice.functions.agilicus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.wiring.Services;

/** POST /v1/tokens/revoke (Agilicus create_revoke_token_task): 204; all_sessions revokes the whole session. */
public final class RevokeTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenLifecycle tokens;

    public RevokeTokenHandler() {
        this(Services.production());
    }

    public RevokeTokenHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenLifecycle();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("RevokeToken", ErrorFormat.AGILICUS, () -> {
            ApiRequest request = new ApiRequest(event);
            JsonBody body = JsonBody.parse(request);
            tokens.revoke(body.string("token").orElse(null), body.bool("all_sessions").orElse(false),
                    Issuer.of(services.settings(), request));
            return ApiResponse.empty(204);
        });
    }
}
