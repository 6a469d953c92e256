package dev.tokenservice.oauth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.concurrent.SideBySide;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Json;
import dev.tokenservice.tokens.TokenItem;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * RFC 7662: tells an authenticated client whether a token is live, from the same state that decides
 * every protected call (so a revocation shows here at once). Anything not live is just {"active": false}.
 * For an access token, the client's row and the token's state are read side by side (one round trip, not two);
 * the token's answer is used only once the client has proven its secret.
 */
public final class Introspection {

    private final ClientAuthentication authentication;
    private final CallerAuthenticator accessTokens;
    private final RefreshTokens refreshTokens;

    public Introspection(ClientAuthentication authentication, CallerAuthenticator accessTokens,
            RefreshTokens refreshTokens) {
        this.authentication = authentication;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
    }

    public ObjectNode introspect(TokenRequest request, String issuerUrl) {
        var presented = request.parameter("token");
        boolean hintRefresh = "refresh_token".equals(request.parameter("token_type_hint").orElse(null));
        CompletableFuture<ObjectNode> accessToken = presented.isPresent() && !hintRefresh && looksLikeJwt(presented.get())
                ? SideBySide.supply(() -> accessTokenAnswer(presented.get(), issuerUrl))
                : null;
        authentication.authenticate(request);
        String token = request.required("token");
        if (accessToken != null) {
            try {
                return accessToken.join();
            } catch (CompletionException failed) {
                throw failed.getCause() instanceof RuntimeException cause ? cause : failed;
            }
        }
        return refreshTokens.findLive(token, null).map(Introspection::active).orElseGet(Introspection::inactive);
    }

    private ObjectNode accessTokenAnswer(String token, String issuerUrl) {
        try {
            return active(accessTokens.verify(token, issuerUrl));
        } catch (ApiError notLive) {
            return inactive();
        }
    }

    private static ObjectNode active(Caller caller) {
        var claims = caller.claims();
        ObjectNode body = Json.object().put("active", true)
                .put("scope", (String) claims.getClaim("scope"))
                .put("client_id", caller.clientId())
                .put("sub", caller.subject())
                .put("token_type", "Bearer")
                .put("exp", caller.expiresAt())
                .put("iat", claims.getIssueTime().toInstant().getEpochSecond())
                .put("iss", claims.getIssuer())
                .put("jti", caller.jti());
        var audience = body.putArray("aud");
        claims.getAudience().forEach(audience::add);
        return body;
    }

    private static ObjectNode active(TokenItem refreshToken) {
        return Json.object().put("active", true)
                .put("scope", refreshToken.getScope())
                .put("client_id", refreshToken.getClientId())
                .put("sub", refreshToken.getSubject())
                .put("token_type", "refresh_token")
                .put("exp", refreshToken.getExpiresAt())
                .put("iat", Instant.ofEpochMilli(refreshToken.getIssuedAt()).getEpochSecond());
    }

    private static ObjectNode inactive() {
        return Json.object().put("active", false);
    }

    private static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }
}
