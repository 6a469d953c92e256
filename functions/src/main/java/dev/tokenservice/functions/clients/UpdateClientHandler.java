package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.clients.ClientChanges;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** PUT /api/2.0/clients/{clientId}: replaces name, description, logo and allowed origins. */
public final class UpdateClientHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public UpdateClientHandler() {
        this(Services.production());
    }

    public UpdateClientHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("UpdateClient", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            registry.update(caller, request.pathParameter("clientId").orElse(""), ClientChanges.from(JsonBody.parse(request)));
            return ApiResponse.empty(200);
        });
    }
}
