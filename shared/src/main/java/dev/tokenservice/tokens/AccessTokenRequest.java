package dev.tokenservice.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a grant decided to issue: who the token is about, for which client, with which scopes and
 * audience; optionally the session (token family) it belongs to and when that family's grant was issued, an
 * organisation, further claims, opaque details to store beside it, a fixed expiry instead of a lifetime, the
 * DPoP key it is bound to, and the client whose grant it descends from when that is another.
 */
public record AccessTokenRequest(
        String issuer, String subject, String clientId, List<String> scopes, List<String> audience, Duration ttl,
        String session, Long grantIssuedAt, String org, Map<String, Object> extraClaims, String details,
        Instant fixedExpiry, String userClaims, String dpopKey, String grantClientId) {

    public AccessTokenRequest {
        extraClaims = extraClaims == null ? Map.of() : Map.copyOf(extraClaims);
    }

    public AccessTokenRequest(
            String issuer, String subject, String clientId, List<String> scopes, List<String> audience, Duration ttl) {
        this(issuer, subject, clientId, scopes, audience, ttl, null, null, null, Map.of(), null, null, null, null, null);
    }

    public AccessTokenRequest inSession(String sessionId) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, sessionId, grantIssuedAt, org,
                extraClaims, details, fixedExpiry, userClaims, dpopKey, grantClientId);
    }

    /** In a session whose grant was issued at this epoch millisecond (what revocation records are compared with). */
    public AccessTokenRequest inSession(String sessionId, long grantIssuedAtMillis) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, sessionId, grantIssuedAtMillis,
                org, extraClaims, details, fixedExpiry, userClaims, dpopKey, grantClientId);
    }

    public AccessTokenRequest forOrg(String orgId, Map<String, Object> claims, String storedDetails) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, session, grantIssuedAt, orgId,
                claims, storedDetails, fixedExpiry, userClaims, dpopKey, grantClientId);
    }

    /** With these further claims in the token (e.g. RFC 8693's act). */
    public AccessTokenRequest withClaims(Map<String, Object> claims) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, session, grantIssuedAt, org,
                claims, details, fixedExpiry, userClaims, dpopKey, grantClientId);
    }

    /** Expires at this instant whatever the lifetime (a reissued token keeps its original's expiry). */
    public AccessTokenRequest expiringAt(Instant expiry) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, session, grantIssuedAt, org,
                extraClaims, details, expiry, userClaims, dpopKey, grantClientId);
    }

    /** Kept beside the token (not in it) for userinfo: what the user's session released to this grant, as JSON. */
    public AccessTokenRequest withUserClaims(String storedUserClaims) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, session, grantIssuedAt, org,
                extraClaims, details, fixedExpiry, storedUserClaims, dpopKey, grantClientId);
    }

    /**
     * Bound to the key with this JWK thumbprint (RFC 9449 §6: cnf.jkt), which every use of the token must then prove
     * it holds; null keeps it a bearer token.
     */
    public AccessTokenRequest boundTo(String keyThumbprint) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, session, grantIssuedAt, org,
                extraClaims, details, fixedExpiry, userClaims, keyThumbprint, grantClientId);
    }

    /**
     * Descending from a grant made to another client (a token exchange, RFC 8693): ending that client's grant (its
     * consent revoked, the client deleted) ends this token too, wherever it went.
     */
    public AccessTokenRequest forGrantOf(String grantClient) {
        return new AccessTokenRequest(issuer, subject, clientId, scopes, audience, ttl, session, grantIssuedAt, org,
                extraClaims, details, fixedExpiry, userClaims, dpopKey, grantClient);
    }

    public String scopeString() {
        return String.join(" ", scopes);
    }
}
