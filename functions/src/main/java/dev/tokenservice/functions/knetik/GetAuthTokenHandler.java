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

/** GET /auth/tokens/{username}/{client_id} (Knetik get_token): the user's most recent live token at the client. */
public final class GetAuthTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenAdministration tokens;

    public GetAuthTokenHandler() {
        this(Services.production());
    }

    public GetAuthTokenHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenAdministration();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("GetAuthToken", ErrorFormat.KNETIK, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            return ApiResponse.json(200, tokens.get(caller, request.decodedPathParameter("username").orElse(""),
                    request.decodedPathParameter("client_id").orElse("")), ApiResponse.noStore());
        });
    }
}
