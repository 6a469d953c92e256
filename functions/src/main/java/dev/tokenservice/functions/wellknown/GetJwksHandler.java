package dev.tokenservice.functions.wellknown;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.wiring.Services;
import java.util.Map;

/**
 * GET /.well-known/jwks.json: the public keys, held in memory (fetched from KMS once per container in `kms` mode,
 * re-read from the key ring as it rotates in `wrapped` mode).
 */
public final class GetJwksHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private static final Map<String, String> CACHING =
            Map.of("Cache-Control", "public, max-age=" + SigningKeys.JWKS_MAX_AGE.toSeconds());

    private final SigningKeys keys;

    public GetJwksHandler() {
        this(Services.production());
    }

    public GetJwksHandler(Services services) {
        this.keys = services.signingKeys();
        keys.publicJwks();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("GetJwks", ErrorFormat.OAUTH,
                () -> ApiResponse.json(200, keys.publicJwks().toString(true), CACHING));
    }
}
