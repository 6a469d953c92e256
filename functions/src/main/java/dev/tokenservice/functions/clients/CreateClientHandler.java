package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.clients.ClientViews;
import dev.tokenservice.clients.NewClient;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** POST /api/2.0/clients: registers a client and returns its secret, this once. */
public final class CreateClientHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public CreateClientHandler() {
        this(Services.production());
    }

    public CreateClientHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
        // Callers are verified against the public keys: fetch them in the init phase, not in the first request.
        services.signingKeys();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("CreateClient", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var created = registry.create(services.authenticate(request), NewClient.from(JsonBody.parse(request)));
            return ApiResponse.json(201, ClientViews.client(created.client(), created.secret()));
        });
    }
}
