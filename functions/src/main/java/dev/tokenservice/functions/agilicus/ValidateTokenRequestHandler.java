package dev.tokenservice.functions.agilicus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.agilicus.CreateTokenRequest;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.wiring.Services;
import java.util.Optional;

/** POST /v1/tokens/validations (Agilicus create_token_validation): the request back, or 403. */
public final class ValidateTokenRequestHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenLifecycle tokens;

    public ValidateTokenRequestHandler() {
        this(Services.production());
    }

    public ValidateTokenRequestHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenLifecycle();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ValidateTokenRequest", ErrorFormat.AGILICUS, () -> {
            ApiRequest request = new ApiRequest(event);
            var body = CreateTokenRequest.parse(JsonBody.parse(request), services.settings().longestTokenLifetime());
            return ApiResponse.json(200, tokens.validate(optionalCaller(request), body));
        });
    }

    /** The seed sends no credentials ("No authorization required"): a caller that is absent or does not verify is nobody. */
    private Optional<Caller> optionalCaller(ApiRequest request) {
        try {
            return Optional.of(services.authenticate(request));
        } catch (ApiError noCaller) {
            if (noCaller.status() != 401) {
                throw noCaller;
            }
            return Optional.empty();
        }
    }
}
