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
 * DELETE /api/2.0/clients/{clientId}/secrets/previous: ends a rotation's overlap now (every deployment has the new
 * secret); the previous secret stops working within CLIENT_CACHE_SECONDS, as a regenerated one does.
 */
public final class EndSecretOverlapHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public EndSecretOverlapHandler() {
        this(Services.production());
    }

    public EndSecretOverlapHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
        services.signingKeys();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("EndSecretOverlap", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var client = registry.endOverlap(services.authenticate(request),
                    request.pathParameter("clientId").orElse(""));
            return ApiResponse.json(200, ClientViews.secrets(client, services.clock().instant()),
                    ApiResponse.noStore());
        });
    }
}
