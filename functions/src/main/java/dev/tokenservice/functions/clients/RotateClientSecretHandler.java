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
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.wiring.Services;
import java.time.Duration;

/**
 * POST /api/2.0/clients/{clientId}/secrets: a new secret, shown this once, while the current one keeps working for
 * overlap_seconds (default a day). Unlike DocSpace's regenerate, nothing stops working at once.
 */
public final class RotateClientSecretHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    static final Duration DEFAULT_OVERLAP = Duration.ofDays(1);

    private final Services services;
    private final ClientRegistry registry;

    public RotateClientSecretHandler() {
        this(Services.production());
    }

    public RotateClientSecretHandler(Services services) {
        this.services = services;
        this.registry = services.clientRegistry();
        services.signingKeys();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("RotateClientSecret", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            Duration overlap = request.body() == null || request.body().isBlank() ? DEFAULT_OVERLAP
                    : JsonBody.parse(request).integer("overlap_seconds").map(Duration::ofSeconds)
                            .orElse(DEFAULT_OVERLAP);
            var rotated = registry.rotateSecret(caller, request.pathParameter("clientId").orElse(""), overlap);
            var body = ClientViews.secrets(rotated.client(), services.clock().instant());
            body.put("client_secret", rotated.secret());
            return ApiResponse.json(201, body, ApiResponse.noStore());
        });
    }
}
