package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.token.TokenEndpoint;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.wiring.Priming;
import dev.tokenservice.wiring.Services;

/**
 * POST /oauth2/token (RFC 6749 §3.2): every grant of the wiring (authorization_code with PKCE, refresh_token,
 * client_credentials, token exchange, the device code); tokens bound
 * to the key of a DPoP proof when the request carries one (RFC 9449).
 */
public final class IssueTokenHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final TokenEndpoint tokenEndpoint;

    public IssueTokenHandler() {
        this(Services.production());
        Priming.register("IssueToken", this::prime);
    }

    public IssueTokenHandler(Services services) {
        this.services = services;
        this.tokenEndpoint = services.tokenEndpoint();
    }

    /**
     * Before the SnapStart snapshot: the request path up to the client check for a client that cannot exist (one
     * GetItem, answered 401, the failure not counted), then a token signed (KMS Sign) and mapped but never stored.
     * Reads only.
     */
    void prime() {
        services.failedAuthenticationThrottle().withoutCounting(() ->
                handleRequest(Priming.formPost("/oauth2/token", "grant_type=client_credentials"), null));
        services.accessTokenIssuer().primeWithoutStoring("https://priming.invalid");
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("IssueToken", ErrorFormat.OAUTH, () -> {
            TokenRequest request = TokenRequest.parse(new ApiRequest(event));
            var response = tokenEndpoint.exchange(request, Issuer.of(services.settings(), request.http()));
            var headers = new java.util.HashMap<>(ApiResponse.noStore());
            // RFC 9449 §8: the nonce the next proof must carry, handed out with every answer while nonces are required.
            tokenEndpoint.currentNonce().ifPresent(nonce -> headers.put("DPoP-Nonce", nonce));
            return ApiResponse.json(200, response.toJson(), headers);
        });
    }
}
