package dev.tokenservice.functions.agilicus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.agilicus.CreateTokenRequest;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.wiring.Services;

/** POST /v1/tokens (Agilicus create_token): 201 RawToken for a token administrator. */
public final class CreateTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenLifecycle tokens;

    public CreateTokenHandler() {
        this(Services.production());
    }

    public CreateTokenHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenLifecycle();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("CreateToken", ErrorFormat.AGILICUS, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            var body = CreateTokenRequest.parse(JsonBody.parse(request), services.settings().longestTokenLifetime());
            return ApiResponse.json(201, tokens.create(caller, body, Issuer.of(services.settings(), request)),
                    ApiResponse.noStore());
        });
    }
}
