package dev.tokenservice.functions.knetik;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.knetik.TokenAdministration;
import dev.tokenservice.wiring.Services;

/** DELETE /auth/tokens (Knetik delete_tokens): by username, client_id or both; 204, effective at once. */
public final class DeleteAuthTokensHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenAdministration tokens;

    public DeleteAuthTokensHandler() {
        this(Services.production());
    }

    public DeleteAuthTokensHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenAdministration();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("DeleteAuthTokens", ErrorFormat.KNETIK, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            tokens.delete(caller, request.queryParameter("username").filter(v -> !v.isBlank()).orElse(null),
                    request.queryParameter("client_id").filter(v -> !v.isBlank()).orElse(null));
            return ApiResponse.empty(204);
        });
    }
}
