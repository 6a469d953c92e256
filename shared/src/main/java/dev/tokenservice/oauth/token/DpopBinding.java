package dev.tokenservice.oauth.token;

/**
 * What a user's tokens are bound to (RFC 9449 §5): the access token to the key of the request's DPoP proof, and the
 * refresh token too when the client is public, since nothing else then ties a stolen refresh token to its client
 * (a confidential client's refresh tokens are already bound to its credentials).
 */
record DpopBinding(String accessTokenKey, String refreshTokenKey) {

    static final DpopBinding NONE = new DpopBinding(null, null);

    static DpopBinding of(TokenRequest request, boolean confidentialClient) {
        String key = request.dpopKey().orElse(null);
        return new DpopBinding(key, confidentialClient ? null : key);
    }
}
