package dev.tokenservice.functions.knetik;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.Paging;
import dev.tokenservice.knetik.SortOrder;
import dev.tokenservice.knetik.TokenAdministration;
import dev.tokenservice.wiring.Services;

/** GET /auth/tokens (Knetik get_tokens): users and clients with live tokens, paged from 1, ordered; no token values. */
public final class ListAuthTokensHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenAdministration tokens;

    public ListAuthTokensHandler() {
        this(Services.production());
    }

    public ListAuthTokensHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenAdministration();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListAuthTokens", ErrorFormat.KNETIK, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            return ApiResponse.json(200, tokens.list(caller,
                    request.queryParameter("filter_client_id").filter(v -> !v.isBlank()).orElse(null),
                    request.queryParameter("filter_username").filter(v -> !v.isBlank()).orElse(null),
                    Paging.integer(request, "page", 1, Integer.MAX_VALUE, 1),
                    Paging.integer(request, "size", 1, 1000, 25),
                    SortOrder.parse(request.queryParameter("order").orElse(null))));
        });
    }
}
