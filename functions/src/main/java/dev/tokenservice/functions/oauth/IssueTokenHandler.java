package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.Json;
import dev.tokenservice.oauth.ClientCredentialsGrant;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.TokenRequest;
import dev.tokenservice.tokens.IssuedAccessToken;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/token (RFC 6749 §3.2). */
public final class IssueTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final ClientCredentialsGrant clientCredentials;

    public IssueTokenHandler() {
        this(Services.production());
    }

    public IssueTokenHandler(Services services) {
        this.services = services;
        this.clientCredentials = services.clientCredentialsGrant();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("IssueToken", ErrorFormat.OAUTH, () -> {
            TokenRequest request = TokenRequest.parse(new ApiRequest(event));
            String grantType = request.required("grant_type");
            if (!ClientCredentialsGrant.GRANT_TYPE.equals(grantType)) {
                throw OAuthErrors.unsupportedGrantType("the grant type " + grantType + " is not supported");
            }
            IssuedAccessToken token = clientCredentials.exchange(request, Issuer.of(services.settings(), request.http()));
            var body = Json.object()
                    .put("access_token", token.value())
                    .put("token_type", "Bearer")
                    .put("expires_in", token.expiresInSeconds())
                    .put("scope", token.scope());
            return ApiResponse.json(200, body, ApiResponse.noStore());
        });
    }
}
