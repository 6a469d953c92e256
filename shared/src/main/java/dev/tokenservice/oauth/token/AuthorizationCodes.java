package dev.tokenservice.oauth.token;

import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.Pkce;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One-time authorization codes: 60 seconds, stored only as a hash, redeemable once. A second redemption
 * is treated as a stolen code (RFC 6749 §4.1.2): it fails and revokes the session the first one started.
 */
public final class AuthorizationCodes {

    static final Duration LIFETIME = Duration.ofSeconds(60);

    private final TokenRepository tokens;
    private final Clock clock;
    private final Duration longestTokenLifetime;

    public AuthorizationCodes(TokenRepository tokens, Clock clock, Duration longestTokenLifetime) {
        this.tokens = tokens;
        this.clock = clock;
        this.longestTokenLifetime = longestTokenLifetime;
    }

    /**
     * Stores a new code for the approved request and returns its value, the only time it exists in clear; the
     * OpenID Connect nonce, the user's sign-in time and what the session released go into the ID token it buys.
     */
    public String issue(String clientId, Session user, String redirectUri, List<String> scopes, String challenge,
            String nonce) {
        return issue(clientId, user, redirectUri, scopes, challenge, nonce, List.of());
    }

    /** As above, for tokens meant for these resources (RFC 8707; kept as the row's audience). */
    public String issue(String clientId, Session user, String redirectUri, List<String> scopes, String challenge,
            String nonce, List<String> resources) {
        return issue(clientId, user, redirectUri, scopes, challenge, nonce, resources, null);
    }

    /**
     * As above, the code bound to a DPoP key (RFC 9449 §10, dpop_jkt): only a token request whose proof is signed by
     * that key redeems it; null: no binding.
     */
    public String issue(String clientId, Session user, String redirectUri, List<String> scopes, String challenge,
            String nonce, List<String> resources, String dpopJkt) {
        String code = OpaqueTokens.newValue();
        // The code and every token it buys carry the browser session's sid: ending the session ends them all.
        TokenItem row = OpaqueTokens.row(TokenKeys.authorizationCode(OpaqueTokens.hash(code)),
                TokenKeys.AUTHORIZATION_CODE, clientId, user.subject(), scopes, user.sessionId(), clock.instant(),
                LIFETIME);
        row.setRedirectUri(redirectUri);
        row.setCodeChallenge(challenge);
        row.setNonce(nonce);
        row.setAuthTime(user.authTime());
        row.setUserClaims(user.claims().keptFor(scopes).toJson());
        row.setAudience(resources.isEmpty() ? null : resources);
        row.setDpopKey(dpopJkt);
        tokens.create(row);
        return code;
    }

    /**
     * The code's row after checking client, redirect URI, PKCE and the request against the row (the resources asked
     * for), none of which uses the code up; then using it up; invalid_grant for anything else.
     */
    public TokenItem redeem(String code, String clientId, String redirectUri, String verifier,
            java.util.function.Consumer<TokenItem> checkBeforeUse) {
        TokenItem row = tokens.find(TokenKeys.authorizationCode(OpaqueTokens.hash(code)))
                .filter(found -> TokenKeys.AUTHORIZATION_CODE.equals(found.getKind()))
                .filter(found -> found.getClientId().equals(clientId))
                .orElseThrow(() -> OAuthErrors.invalidGrant("the authorization code is invalid"));
        Instant now = clock.instant();
        if (row.getConsumedAt() == null && row.getExpiresAt() <= now.getEpochSecond()) {
            throw OAuthErrors.invalidGrant("the authorization code has expired");
        }
        if (!row.getRedirectUri().equals(redirectUri)) {
            throw OAuthErrors.invalidGrant("redirect_uri differs from the one of the authorization request");
        }
        if (row.getCodeChallenge() != null && !Pkce.verifies(verifier, row.getCodeChallenge())) {
            throw OAuthErrors.invalidGrant("code_verifier does not match the code_challenge (PKCE)");
        }
        if (row.getCodeChallenge() == null && verifier != null) {
            throw OAuthErrors.invalidGrant("code_verifier was sent but the authorization request had no code_challenge");
        }
        checkBeforeUse.accept(row);
        if (!tokens.consume(row.getTokenKey(), now.toEpochMilli())) {
            tokens.revokeSession(row.getSession(), now.plus(longestTokenLifetime).getEpochSecond());
            throw OAuthErrors.invalidGrant("the authorization code was already used; the tokens issued for it are revoked");
        }
        return row;
    }
}
