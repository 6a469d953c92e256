package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;

/** PATCH /api/2.0/clients/{clientId}/regenerate: a new secret; the old one fails at the token endpoint from now on. */
public final class RegenerateClientSecretHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientRegistry registry;

    public RegenerateClientSecretHandler() {
        this(Services.production());
    }

    public RegenerateClientSecretHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("RegenerateClientSecret", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            String secret = registry.regenerateSecret(services.authenticate(request),
                    request.pathParameter("clientId").orElse(""));
            return ApiResponse.json(200, Json.object().put("client_secret", secret), ApiResponse.noStore());
        });
    }
}
