package dev.tokenservice.functions.wellknown;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.openid.ServerMetadata;
import dev.tokenservice.wiring.Services;
import java.util.Map;

/** GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0): the RFC 8414 document, the same one. */
public final class GetOpenIdConfigurationHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;

    public GetOpenIdConfigurationHandler() {
        this(Services.production());
    }

    public GetOpenIdConfigurationHandler(Services services) {
        this.services = services;
        services.signingKeys();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("GetOpenIdConfiguration", ErrorFormat.OAUTH, () -> {
            String issuer = Issuer.of(services.settings(), new ApiRequest(event));
            return ApiResponse.json(200, ServerMetadata.describe(issuer, services.signingKeys(), services.grantTypes()),
                    Map.of("Cache-Control", "public, max-age=3600"));
        });
    }
}
