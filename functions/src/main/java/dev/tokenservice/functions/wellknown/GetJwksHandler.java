package dev.tokenservice.functions.wellknown;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.wiring.Services;
import java.util.Map;

/** GET /.well-known/jwks.json: the public keys, fetched from KMS once per container and served from memory. */
public final class GetJwksHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final String jwks;

    public GetJwksHandler() {
        this(Services.production());
    }

    public GetJwksHandler(Services services) {
        this.jwks = services.signingKeys().publicJwks().toString(true);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("GetJwks", ErrorFormat.OAUTH,
                () -> ApiResponse.json(200, jwks, Map.of("Cache-Control", "public, max-age=300")));
    }
}
