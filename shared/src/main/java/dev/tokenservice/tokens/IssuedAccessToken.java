package dev.tokenservice.tokens;

/**
 * A signed, stored access token as the token endpoint returns it; dpopKey is the thumbprint of the DPoP key it is
 * bound to (cnf.jkt), null for a bearer token.
 */
public record IssuedAccessToken(String value, String jti, long expiresInSeconds, String scope, String dpopKey) {

    public IssuedAccessToken(String value, String jti, long expiresInSeconds, String scope) {
        this(value, jti, expiresInSeconds, scope, null);
    }

    /** RFC 9449 §5: "DPoP" for a token bound to a key, "Bearer" otherwise. */
    public String tokenType() {
        return dpopKey == null ? "Bearer" : "DPoP";
    }
}
