package dev.tokenservice.functions.agilicus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.agilicus.TokenListQuery;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** GET /v1/tokens (Agilicus list_tokens): newest first, filtered, at most limit; limit always echoed. */
public final class ListTokensHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenLifecycle tokens;

    public ListTokensHandler() {
        this(Services.production());
    }

    public ListTokensHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenLifecycle();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListTokens", ErrorFormat.AGILICUS, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            return ApiResponse.json(200, tokens.list(caller, TokenListQuery.from(request, services.clock().instant())));
        });
    }
}
