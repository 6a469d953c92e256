package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.clients.ClientViews;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** GET /api/2.0/clients/{clientId}: the client as its owner or an admin sees it, without its secret. */
public final class GetClientHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public GetClientHandler() {
        this(Services.production());
    }

    public GetClientHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("GetClient", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var client = registry.get(services.authenticate(request), request.pathParameter("clientId").orElse(""));
            return ApiResponse.json(200, ClientViews.client(client, null));
        });
    }
}
