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

/** GET /api/2.0/clients/{clientId}/info: the public face of any client, for a signed-in caller. */
public final class GetClientInfoHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public GetClientInfoHandler() {
        this(Services.production());
    }

    public GetClientInfoHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("GetClientInfo", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            services.authenticate(request);
            return ApiResponse.json(200, ClientViews.info(registry.info(request.pathParameter("clientId").orElse(""))));
        });
    }
}
