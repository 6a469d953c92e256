package dev.tokenservice.functions.scopes;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientViews;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** GET /api/2.0/scopes: the scope catalogue as DocSpace lists it (a JSON array, openid last). */
public final class ListScopesHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;

    public ListScopesHandler() {
        this(Services.production());
    }

    public ListScopesHandler(Services services) {
        this.services = services;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListScopes", ErrorFormat.DOCSPACE, () -> {
            services.authenticate(new ApiRequest(event));
            return ApiResponse.json(200, ClientViews.scopes());
        });
    }
}
