package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.clients.ClientViews;
import dev.tokenservice.http.Paging;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** GET /api/2.0/clients: a keyset page of the clients the caller may manage, newest first. */
public final class ListClientsHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public ListClientsHandler() {
        this(Services.production());
    }

    public ListClientsHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListClients", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            var page = registry.list(caller, Paging.limit(request, 1, 50, 30),
                    request.queryParameter("last_client_id").filter(v -> !v.isBlank()),
                    request.queryParameter("last_created_on").filter(v -> !v.isBlank())
                            .map(v -> Timestamps.parse("last_created_on", v)));
            return ApiResponse.json(200, ClientViews.page(page, false));
        });
    }
}
