package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** PATCH /api/2.0/clients/{clientId}/activation: enables or disables the client ({"status": bool}); disabled clients get no new tokens. */
public final class ChangeClientActivationHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public ChangeClientActivationHandler() {
        this(Services.production());
    }

    public ChangeClientActivationHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ChangeClientActivation", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            boolean enabled = JsonBody.parse(request).bool("status")
                    .orElseThrow(() -> JsonBody.invalid("status: is required (true or false)"));
            registry.changeActivation(caller, request.pathParameter("clientId").orElse(""), enabled);
            return ApiResponse.empty(200);
        });
    }
}
