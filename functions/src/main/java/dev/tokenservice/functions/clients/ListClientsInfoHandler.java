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

/** GET /api/2.0/clients/info: a keyset page of the public face of every client of the tenant. */
public final class ListClientsInfoHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public ListClientsInfoHandler() {
        this(Services.production());
    }

    public ListClientsInfoHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListClientsInfo", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            services.authenticate(request);
            var page = registry.listInfo(Paging.limit(request, 1, 50, null),
                    request.queryParameter("last_client_id").filter(v -> !v.isBlank()),
                    request.queryParameter("last_created_on").filter(v -> !v.isBlank())
                            .map(v -> Timestamps.parse("last_created_on", v)));
            return ApiResponse.json(200, ClientViews.page(page, true));
        });
    }
}
