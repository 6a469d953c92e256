package dev.tokenservice.tokens;

/** A signed, stored access token as the token endpoint returns it. */
public record IssuedAccessToken(String value, String jti, long expiresInSeconds, String scope) {
}
