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

/**
 * GET /api/2.0/clients/{clientId}/secrets: when the client's current secret was made, and the previous one's
 * creation and expiry while its overlap lasts; never a value or a hash.
 */
public final class ListClientSecretsHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public ListClientSecretsHandler() {
        this(Services.production());
    }

    public ListClientSecretsHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
        services.signingKeys();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListClientSecrets", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var client = registry.secrets(services.authenticate(request),
                    request.pathParameter("clientId").orElse(""));
            return ApiResponse.json(200, ClientViews.secrets(client, services.clock().instant()),
                    ApiResponse.noStore());
        });
    }
}
