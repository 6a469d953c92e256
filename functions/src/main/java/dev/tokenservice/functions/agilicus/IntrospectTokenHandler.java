package dev.tokenservice.functions.agilicus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.wiring.Services;

/** POST /v1/tokens/introspect (Agilicus create_introspect_token): the Token, 410 when revoked. */
public final class IntrospectTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenLifecycle tokens;

    public IntrospectTokenHandler() {
        this(Services.production());
    }

    public IntrospectTokenHandler(Services services) {
        this.services = services;
        this.tokens = services.tokenLifecycle();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("IntrospectToken", ErrorFormat.AGILICUS, () -> {
            ApiRequest request = new ApiRequest(event);
            JsonBody body = JsonBody.parse(request);
            boolean excludeRoles = body.node("introspect_options").map(options -> {
                if (!options.isObject()) {
                    throw JsonBody.invalid("introspect_options: must be an object");
                }
                JsonNode exclude = options.path("exclude_roles");
                if (!exclude.isMissingNode() && !exclude.isNull() && !exclude.isBoolean()) {
                    throw JsonBody.invalid("introspect_options.exclude_roles: must be true or false");
                }
                return exclude.asBoolean(false);
            }).orElse(false);
            String token = body.string("token").orElseThrow(() -> JsonBody.invalid("token: is required"));
            return ApiResponse.json(200, tokens.introspect(token, excludeRoles, Issuer.of(services.settings(), request)),
                    ApiResponse.noStore());
        });
    }
}
