package dev.tokenservice.oauth.token;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.time.Clock;

/**
 * RFC 7009: a client revokes a token it was issued. An access token is marked revoked; a refresh token
 * takes its whole session with it. Unknown tokens and other clients' tokens are answered like success,
 * so the endpoint tells nothing about tokens the caller does not own.
 */
public final class Revocation {

    private final ClientAuthentication authentication;
    private final CallerAuthenticator accessTokens;
    private final TokenRepository tokens;
    private final RefreshTokens refreshTokens;
    private final Clock clock;

    public Revocation(ClientAuthentication authentication, CallerAuthenticator accessTokens, TokenRepository tokens,
            RefreshTokens refreshTokens, Clock clock) {
        this.authentication = authentication;
        this.accessTokens = accessTokens;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.clock = clock;
    }

    public void revoke(TokenRequest request, String issuerUrl) {
        String clientId = authentication.authenticateAllowingPublic(request).client().getClientId();
        String token = request.required("token");
        if (revokeAccessToken(token, clientId, issuerUrl)) {
            return;
        }
        refreshTokens.findLive(token, clientId).ifPresent(row -> refreshTokens.revokeSession(row, clock.instant()));
    }

    /** True when the token is a current access token of this service (revoked here if it is the caller's). */
    private boolean revokeAccessToken(String token, String clientId, String issuerUrl) {
        JWTClaimsSet claims;
        try {
            claims = accessTokens.verifiedClaims(token, issuerUrl);
        } catch (ApiError notAnAccessTokenOfOurs) {
            return false;
        }
        if (clientId.equals(claims.getClaim("client_id")) && claims.getJWTID() != null) {
            tokens.markRevoked(TokenKeys.accessToken(claims.getJWTID()), clock.millis());
        }
        return true;
    }
}
