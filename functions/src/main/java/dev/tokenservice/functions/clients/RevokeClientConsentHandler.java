package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.consents.Consents;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/**
 * DELETE /api/2.0/clients/{clientId}/revoke: the caller withdraws its consent from the client; every token
 * the caller holds at that client stops verifying at once.
 */
public final class RevokeClientConsentHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;
    private final Consents consents;

    public RevokeClientConsentHandler() {
        this(Services.production());
    }

    public RevokeClientConsentHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
        this.consents = services.consents();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("RevokeClientConsent", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            String clientId = request.pathParameter("clientId").orElse("");
            ClientRegistry.requireClientIdFormat(clientId);
            consents.revoke(caller, registry.info(clientId));
            return ApiResponse.empty(200);
        });
    }
}
