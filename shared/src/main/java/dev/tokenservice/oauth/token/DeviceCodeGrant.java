package dev.tokenservice.oauth.token;

import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.ResourceIndicators;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * RFC 8628 §3.4–3.5: a device polls with its device_code until the person it showed the user code to has answered
 * on the verification page. Pending: authorization_pending, or slow_down when it polls sooner than its interval
 * (which then grows by 5 seconds); denied: access_denied; past its lifetime: expired_token; approved: the person's
 * tokens, once, in the browser session that approved (signing that session out ends them).
 */
public final class DeviceCodeGrant implements Grant {

    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    /** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
    static final long SLOW_DOWN_STEP_SECONDS = 5;
    /** A poll this much sooner than its interval still counts as on time: network and clock jitter, not haste. */
    static final long POLL_TOLERANCE_MILLIS = 1_000;

    private final ClientAuthentication authentication;
    private final TokenRepository tokens;
    private final UserTokens userTokens;
    private final Clock clock;

    public DeviceCodeGrant(ClientAuthentication authentication, TokenRepository tokens, UserTokens userTokens,
            Clock clock) {
        this.authentication = authentication;
        this.tokens = tokens;
        this.userTokens = userTokens;
        this.clock = clock;
    }

    @Override
    public String grantType() {
        return GRANT_TYPE;
    }

    @Override
    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        var caller = authentication.authenticateAllowingPublic(request);
        var client = caller.client();
        if (!client.allowsGrant(GRANT_TYPE)) {
            throw OAuthErrors.unauthorizedClient("the client may not use the device authorization grant");
        }
        String key = TokenKeys.deviceCode(OpaqueTokens.hash(request.required("device_code")));
        List<String> requested = ResourceIndicators.parse(request.values("resource"));
        TokenItem row = tokens.find(key)
                .filter(found -> TokenKeys.DEVICE_CODE.equals(found.getKind()))
                .filter(found -> found.getClientId().equals(client.getClientId()))
                .orElseThrow(() -> OAuthErrors.invalidGrant("the device_code is invalid"));
        Instant now = clock.instant();
        if (row.getConsumedAt() != null) {
            throw OAuthErrors.invalidGrant("the device_code was already used");
        }
        if (row.getExpiresAt() <= now.getEpochSecond()) {
            throw OAuthErrors.expiredToken("the device_code has expired; start the device sign-in again");
        }
        if (DENIED.equals(row.getDecision())) {
            throw OAuthErrors.accessDenied("the user denied the request");
        }
        if (!APPROVED.equals(row.getDecision())) {
            throw pendingOrTooSoon(key, row.getPollInterval(), now);
        }
        String ownAudience = userTokens.ownAudience(issuerUrl);
        List<String> audience = AuthorizationCodeGrant.audienceOf(requested, row, client, ownAudience);
        if (!tokens.consume(key, now.toEpochMilli())) {
            throw OAuthErrors.invalidGrant("the device_code was already used");
        }
        if (row.grantStart() <= tokens.revokedUpTo(client.getClientId(), row.getSubject(), row.getSession())) {
            throw OAuthErrors.invalidGrant("the sign-in or consent behind this device_code was revoked");
        }
        return userTokens.issue(issuerUrl, client, row.getSubject(), ScopeStrings.split(row.getScope()),
                row.getSession(), row.getAuthTime(), row.grantStart(), null, UserClaims.fromJson(row.getUserClaims()),
                AuthorizationCodeGrant.resourcesOf(row), audience, DpopBinding.of(request, caller.confidential()));
    }

    /** authorization_pending for a poll on time (which sets when the next is due), slow_down for one too soon. */
    private RuntimeException pendingOrTooSoon(String key, long interval, Instant now) {
        long nowMillis = now.toEpochMilli();
        if (tokens.pollOnTime(key, nowMillis, nextPollAt(nowMillis, interval))) {
            return OAuthErrors.authorizationPending("the user has not yet answered; poll again in " + interval + " s");
        }
        long longer = interval + SLOW_DOWN_STEP_SECONDS;
        tokens.slowDown(key, longer, nextPollAt(nowMillis, longer));
        return OAuthErrors.slowDown("polled too soon; poll at most every " + longer + " s");
    }

    private static long nextPollAt(long nowMillis, long intervalSeconds) {
        return nowMillis + intervalSeconds * 1000 - POLL_TOLERANCE_MILLIS;
    }
}
