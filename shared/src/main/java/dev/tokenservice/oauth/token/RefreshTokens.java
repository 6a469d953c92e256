package dev.tokenservice.oauth.token;

import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.OAuthScopes;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Refresh tokens, rotated on every use (RFC 9700 §4.14.2): each one works once. Presenting one that was
 * already used means two parties hold it, so the whole session (every access and refresh token descended
 * from the same grant) is revoked; of two concurrent uses exactly one wins.
 */
public final class RefreshTokens {

    private final TokenRepository tokens;
    private final Clock clock;
    private final Duration lifetime;

    public RefreshTokens(TokenRepository tokens, Clock clock, Duration lifetime) {
        this.tokens = tokens;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /**
     * A new refresh token; authTime (when the user signed in, epoch seconds) and what the session released of the
     * person are kept for the ID tokens and userinfo answers it buys, and grantIssuedAt (epoch ms, when the
     * session's grant was issued) for the revocation records that may cover it; the grant's resources (RFC 8707)
     * kept as the row's audience, and the token bound to the DPoP key with this thumbprint when not null (RFC 9449 §5).
     */
    public String issue(String clientId, String subject, List<String> scopes, String session, Long authTime,
            long grantIssuedAt, UserClaims user, List<String> resources, String dpopKey) {
        String value = OpaqueTokens.newValue();
        TokenItem row = OpaqueTokens.row(TokenKeys.refreshToken(OpaqueTokens.hash(value)), TokenKeys.REFRESH_TOKEN,
                clientId, subject, scopes, session, clock.instant(), lifetime);
        row.setAuthTime(authTime);
        row.setGrantIssuedAt(grantIssuedAt);
        row.setUserClaims(user.toJson());
        row.setDpopKey(dpopKey);
        row.setAudience(resources.isEmpty() ? null : resources);
        tokens.create(row);
        return value;
    }

    /** The live row of a refresh token of this client, without using it up; empty otherwise. */
    public java.util.Optional<TokenItem> findLive(String value, String clientId) {
        return tokens.find(TokenKeys.refreshToken(OpaqueTokens.hash(value)))
                .filter(row -> TokenKeys.REFRESH_TOKEN.equals(row.getKind()))
                .filter(row -> clientId == null || row.getClientId().equals(clientId))
                .filter(row -> row.getConsumedAt() == null && !row.isRevoked())
                .filter(row -> row.getExpiresAt() > clock.instant().getEpochSecond())
                .filter(row -> row.grantStart() > tokens.revokedUpTo(row.getClientId(), row.getSubject(), row.getSession()));
    }

    /**
     * Uses the refresh token up and returns its row, or fails with invalid_grant (revoking on reuse). The requested
     * scopes are checked first, so that a bad scope parameter does not cost the client its token; then the further
     * check of the request against the row (the resources asked for), for a request that proved it holds the DPoP key
     * with this thumbprint (if any).
     */
    public TokenItem rotate(String value, String clientId, java.util.Optional<String> requestedScope,
            java.util.Optional<String> provenKey, java.util.function.Consumer<TokenItem> checkBeforeUse) {
        TokenItem row = tokens.find(TokenKeys.refreshToken(OpaqueTokens.hash(value)))
                .filter(found -> TokenKeys.REFRESH_TOKEN.equals(found.getKind()))
                .filter(found -> found.getClientId().equals(clientId))
                .orElseThrow(() -> OAuthErrors.invalidGrant("the refresh token is invalid"));
        // Before reuse detection: whoever cannot prove the bound key holds no usable token, and must not be able to
        // end the session of the one who does by presenting a copy (RFC 9449 §5).
        if (row.getDpopKey() != null && !row.getDpopKey().equals(provenKey.orElse(null))) {
            throw OAuthErrors.invalidGrant("the refresh token is bound to a DPoP key; the request's DPoP proof must "
                    + "be signed by that key");
        }
        Instant now = clock.instant();
        if (row.getConsumedAt() != null) {
            revokeSession(row, now);
            throw OAuthErrors.invalidGrant("the refresh token was already used; its session is revoked");
        }
        OAuthScopes.granted(requestedScope, ScopeStrings.split(row.getScope()));
        checkBeforeUse.accept(row);
        // Liveness is decided before using the token up: of two concurrent uses, the one that wins the
        // conditional write below gets tokens even if the loser has revoked the session meanwhile (those
        // tokens are then dead on arrival, as the family is). Likewise when a revocation record lands after
        // this check: the new tokens carry the grant's issue time, not their own, so a record that covers
        // this token covers them too.
        if (row.isRevoked() || row.getExpiresAt() <= now.getEpochSecond()
                || row.grantStart() <= tokens.revokedUpTo(row.getClientId(), row.getSubject(), row.getSession())) {
            throw OAuthErrors.invalidGrant("the refresh token is expired or revoked");
        }
        if (!tokens.consume(row.getTokenKey(), now.toEpochMilli())) {
            revokeSession(row, now);
            throw OAuthErrors.invalidGrant("the refresh token was already used; its session is revoked");
        }
        return row;
    }

    /** Revokes the session of a refresh token (RFC 7009 revocation of a refresh token). */
    public void revokeSession(TokenItem row, Instant now) {
        tokens.revokeSession(row.getSession(), now.plus(lifetime).getEpochSecond());
    }
}
