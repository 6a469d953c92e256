package dev.tokenservice.oauth.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.tokens.IssuedAccessToken;

/**
 * RFC 6749 §5.1 successful token response, with OpenID Connect's id_token when openid was granted, and RFC 8693's
 * issued_token_type for a token exchange.
 */
public record TokenResponse(IssuedAccessToken accessToken, String refreshToken, String idToken,
        String issuedTokenType) {

    public TokenResponse(IssuedAccessToken accessToken, String refreshToken, String idToken) {
        this(accessToken, refreshToken, idToken, null);
    }

    public TokenResponse(IssuedAccessToken accessToken, String refreshToken) {
        this(accessToken, refreshToken, null, null);
    }

    public ObjectNode toJson() {
        ObjectNode body = Json.object()
                .put("access_token", accessToken.value());
        if (issuedTokenType != null) {
            body.put("issued_token_type", issuedTokenType);
        }
        body
                .put("token_type", accessToken.tokenType())
                .put("expires_in", accessToken.expiresInSeconds());
        if (refreshToken != null) {
            body.put("refresh_token", refreshToken);
        }
        if (idToken != null) {
            body.put("id_token", idToken);
        }
        return body.put("scope", accessToken.scope());
    }
}
