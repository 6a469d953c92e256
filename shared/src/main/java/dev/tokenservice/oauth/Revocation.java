package dev.tokenservice.oauth;

import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.text.ParseException;
import java.time.Clock;

/**
 * RFC 7009: a client revokes a token it was issued. An access token is marked revoked; a refresh token
 * takes its whole session with it. Unknown tokens and other clients' tokens are answered like success,
 * so the endpoint tells nothing about tokens the caller does not own.
 */
public final class Revocation {

    private final ClientAuthentication authentication;
    private final SigningKeys keys;
    private final TokenRepository tokens;
    private final RefreshTokens refreshTokens;
    private final Clock clock;

    public Revocation(ClientAuthentication authentication, SigningKeys keys, TokenRepository tokens,
            RefreshTokens refreshTokens, Clock clock) {
        this.authentication = authentication;
        this.keys = keys;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.clock = clock;
    }

    public void revoke(TokenRequest request) {
        String clientId = authentication.authenticateAllowingPublic(request).client().getClientId();
        String token = request.required("token");
        if (revokeAccessToken(token, clientId)) {
            return;
        }
        refreshTokens.findLive(token, clientId).ifPresent(row -> refreshTokens.revokeSession(row, clock.instant()));
    }

    private boolean revokeAccessToken(String token, String clientId) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            var verifier = keys.verifierFor(jwt.getHeader());
            if (verifier.isEmpty() || !jwt.verify(verifier.get())) {
                return false;
            }
            var claims = jwt.getJWTClaimsSet();
            if (clientId.equals(claims.getClaim("client_id")) && claims.getJWTID() != null) {
                tokens.markRevoked(TokenKeys.accessToken(claims.getJWTID()), clock.millis());
            }
            return true;
        } catch (ParseException | com.nimbusds.jose.JOSEException notAnAccessToken) {
            return false;
        }
    }
}
