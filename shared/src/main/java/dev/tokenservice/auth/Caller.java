package dev.tokenservice.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.http.ApiError;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Who is calling: the verified claims of a live access token issued by this service, and what its row keeps of
 * the user's sign-in for userinfo (JSON, or null).
 */
public record Caller(String subject, String clientId, Set<String> scopes, String jti, long expiresAt,
        JWTClaimsSet claims, String userClaims) {

    public Caller(String subject, String clientId, Set<String> scopes, String jti, long expiresAt,
            JWTClaimsSet claims) {
        this(subject, clientId, scopes, jti, expiresAt, claims, null);
    }

    /** How to address the caller on a page: the token's name or preferred_username, else its subject. */
    public String displayName() {
        for (String claim : new String[] {"name", "preferred_username"}) {
            if (claims != null && claims.getClaim(claim) instanceof String value && !value.isBlank()) {
                return value;
            }
        }
        return subject;
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** Passes when the token carries at least one of the scopes; otherwise 403 insufficient_scope. */
    public Caller requireAnyScope(String... anyOf) {
        if (Arrays.stream(anyOf).anyMatch(scopes::contains)) {
            return this;
        }
        String needed = String.join(" ", anyOf);
        throw new ApiError(403, "insufficient_scope", "the access token lacks the scope " + needed,
                Map.of("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + needed + "\""));
    }
}
