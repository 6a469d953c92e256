package dev.tokenservice.oauth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.tokens.IssuedAccessToken;

/** RFC 6749 §5.1 successful token response. */
public record TokenResponse(IssuedAccessToken accessToken, String refreshToken) {

    public ObjectNode toJson() {
        ObjectNode body = Json.object()
                .put("access_token", accessToken.value())
                .put("token_type", "Bearer")
                .put("expires_in", accessToken.expiresInSeconds());
        if (refreshToken != null) {
            body.put("refresh_token", refreshToken);
        }
        return body.put("scope", accessToken.scope());
    }
}
