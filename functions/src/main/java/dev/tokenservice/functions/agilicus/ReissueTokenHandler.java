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

/** POST /v1/tokens/reissue (Agilicus create_reissued_token): a token for another organisation, same expiry. */
public final class ReissueTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenLifecycle tokens;

    public ReissueTokenHandler() {
        this(Services.production());
    }

    public ReissueTokenHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenLifecycle();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ReissueToken", ErrorFormat.AGILICUS, () -> {
            ApiRequest request = new ApiRequest(event);
            JsonBody body = JsonBody.parse(request);
            String token = body.string("token").orElseThrow(() -> JsonBody.invalid("token: is required"));
            String orgId = body.string("org_id").filter(v -> !v.isBlank())
                    .orElseThrow(() -> JsonBody.invalid("org_id: is required"));
            return ApiResponse.json(200, tokens.reissue(token, orgId, Issuer.of(services.settings(), request)),
                    ApiResponse.noStore());
        });
    }
}
