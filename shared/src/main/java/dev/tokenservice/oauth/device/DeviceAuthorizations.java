package dev.tokenservice.oauth.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.consents.ConsentStore;
import dev.tokenservice.http.Json;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.OAuthScopes;
import dev.tokenservice.oauth.ResourceIndicators;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
import dev.tokenservice.oauth.authorization.AuthorizationRequest;
import dev.tokenservice.oauth.token.ClientAuthentication;
import dev.tokenservice.oauth.token.DeviceCodeGrant;
import dev.tokenservice.oauth.token.FailedAuthenticationThrottle;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The device authorization grant's browser-free start and its verification page (RFC 8628): a device with no
 * browser (a TV, a CLI) asks POST /oauth2/device_authorization for a device code and a user code; the person types
 * the user code at /oauth2/device in a browser signed in to this service, sees which application asks for what,
 * and approves or denies; the device meanwhile polls the token endpoint ({@link DeviceCodeGrant}). The device code
 * is stored only as its SHA-256 (the grant's state, one row), the user code only as its keyed hash (a row pointing
 * at the device code), both removed by TTL after ten minutes.
 */
public final class DeviceAuthorizations {

    /** RFC 8628 §3.2 leaves it open; ten minutes, as Keycloak's default, is time to find a phone and sign in. */
    static final Duration LIFETIME = Duration.ofMinutes(10);
    /** RFC 8628 §3.2's default polling interval. */
    static final long INTERVAL_SECONDS = 5;
    public static final String VERIFICATION_PATH = dev.tokenservice.oauth.authorization.LoginHandOff.DEVICE_PAGE;
    private static final String USER_CODE_PURPOSE = "user-code|";

    /** The answer to the device (RFC 8628 §3.2). */
    public record Started(String deviceCode, String userCode, String verificationUri, long expiresIn, long interval) {

        public ObjectNode toJson() {
            return Json.object()
                    .put("device_code", deviceCode)
                    .put("user_code", userCode)
                    .put("verification_uri", verificationUri)
                    .put("verification_uri_complete", completeUri(verificationUri, userCode))
                    .put("expires_in", expiresIn)
                    .put("interval", interval);
        }
    }

    /** What the confirmation page shows: the application, what it asks, and the code the device displays. */
    public record Confirmation(ClientItem client, List<String> scopes, String userCode, String ticket) {
    }

    private final ClientAuthentication authentication;
    private final ClientRepository clients;
    private final TokenRepository tokens;
    private final ConsentStore consents;
    private final SecretHasher hasher;
    private final FailedAuthenticationThrottle codeEntries;
    private final Clock clock;
    private final Optional<String> defaultAudience;

    /**
     * @param codeEntries counts each person's user code entries (RFC 8628 §5.1: guessing is throttled), whether
     *                    the code is right or not, so that past its limit nothing is looked up at all
     */
    public DeviceAuthorizations(ClientAuthentication authentication, ClientRepository clients, TokenRepository tokens,
            ConsentStore consents, SecretHasher hasher, FailedAuthenticationThrottle codeEntries, Clock clock,
            Optional<String> defaultAudience) {
        this.authentication = authentication;
        this.clients = clients;
        this.tokens = tokens;
        this.consents = consents;
        this.hasher = hasher;
        this.codeEntries = codeEntries;
        this.clock = clock;
        this.defaultAudience = defaultAudience;
    }

    /** The verification URI with the user code filled in, for a QR code or a link (RFC 8628 §3.3.1). */
    public static String completeUri(String verificationUri, String userCode) {
        return verificationUri + "?user_code=" + URLEncoder.encode(userCode, StandardCharsets.UTF_8);
    }

    /** POST /oauth2/device_authorization: the client (public ones too) gets a device code and a user code. */
    public Started start(TokenRequest request, String issuerUrl) {
        ClientItem client = authentication.authenticateAllowingPublic(request).client();
        if (!client.allowsGrant(DeviceCodeGrant.GRANT_TYPE)) {
            throw OAuthErrors.unauthorizedClient("the client may not use the device authorization grant");
        }
        Optional<String> scope = request.parameter("scope");
        boolean openId = scope.map(ScopeStrings::split).orElse(List.of()).contains("openid");
        List<String> scopes = OAuthScopes.granted(scope, AuthorizationRequest.permittedScopes(client, openId));
        if (scopes.isEmpty()) {
            throw OAuthErrors.invalidScope("scope: the client has no registered scope to ask for");
        }
        List<String> resources = ResourceIndicators.requirePermitted(
                ResourceIndicators.parse(request.values("resource")), client, defaultAudience.orElse(issuerUrl));
        Instant now = clock.instant();
        String deviceCode = OpaqueTokens.newValue();
        TokenItem device = row(TokenKeys.deviceCode(OpaqueTokens.hash(deviceCode)), TokenKeys.DEVICE_CODE,
                client.getClientId(), now);
        device.setScope(String.join(" ", scopes));
        device.setAudience(resources.isEmpty() ? null : resources);
        device.setPollInterval(INTERVAL_SECONDS);
        tokens.create(device);
        String userCode = storeUserCode(device.getTokenKey(), client.getClientId(), now);
        return new Started(deviceCode, userCode, issuerUrl + VERIFICATION_PATH, LIFETIME.toSeconds(), INTERVAL_SECONDS);
    }

    /**
     * The confirmation page for a code the signed-in person typed; empty when it is no pending code of this
     * service. Every entry counts against the person's limit first (429 past it), a right code too: otherwise a
     * guesser would ignore the 429s and keep learning which guesses hit.
     */
    public Optional<Confirmation> confirmation(String typed, Session user) {
        codeEntries.attempted(user.subject());
        Instant now = clock.instant();
        Optional<String> canonical = UserCodes.canonical(typed);
        Optional<TokenItem> device = canonical
                .flatMap(code -> tokens.find(TokenKeys.userCode(userCodeHash(code))))
                .filter(pointer -> TokenKeys.USER_CODE.equals(pointer.getKind()) && live(pointer, now))
                .flatMap(pointer -> tokens.find(pointer.getDetails()))
                .filter(row -> TokenKeys.DEVICE_CODE.equals(row.getKind()) && live(row, now)
                        && row.getDecision() == null);
        if (device.isEmpty()) {
            return Optional.empty();
        }
        TokenItem row = device.get();
        ClientItem client = clients.find(row.getClientId()).filter(ClientItem::isEnabled).orElseThrow(() ->
                AuthorizationProblem.shownToUser("the application behind this code is disabled or no longer registered"));
        List<String> scopes = ScopeStrings.split(row.getScope());
        String ticket = DeviceTicket.issue(hasher, row.getTokenKey(), client.getClientId(), scopes, canonical.get(),
                user, row.getExpiresAt());
        return Optional.of(new Confirmation(client, scopes, canonical.get(), ticket));
    }

    /**
     * The person's answer on the confirmation page: true when approved (the consent is recorded, as on the consent
     * page), false when denied. The device learns it at its next poll. An answer to a code already answered or
     * expired is an error page.
     */
    public boolean decide(String ticket, String decision, Session user) {
        Instant now = clock.instant();
        DeviceTicket.Content shown = DeviceTicket.verify(hasher, ticket, user, now);
        TokenItem answer = new TokenItem();
        if ("deny".equals(decision)) {
            answer.setDecision(DeviceCodeGrant.DENIED);
            record(shown, answer, now);
            return false;
        }
        if (!"approve".equals(decision)) {
            throw AuthorizationProblem.shownToUser("the decision must be approve or deny");
        }
        ClientItem client = clients.find(shown.clientId()).filter(ClientItem::isEnabled).orElseThrow(() ->
                AuthorizationProblem.shownToUser("the application behind this code is disabled or no longer registered"));
        if (!AuthorizationRequest.permittedScopes(client, shown.scopes().contains("openid")).containsAll(shown.scopes())) {
            throw AuthorizationProblem.shownToUser("the application is no longer registered for every scope it asked for");
        }
        answer.setDecision(DeviceCodeGrant.APPROVED);
        answer.setSubject(user.subject());
        // The device's tokens belong to the browser session that approved: signing it out ends them too.
        answer.setSession(user.sessionId());
        answer.setAuthTime(user.authTime());
        answer.setUserClaims(user.claims().keptFor(shown.scopes()).toJson());
        // What revocation records are compared with: a consent revoked before this approval does not cover it.
        answer.setGrantIssuedAt(now.toEpochMilli());
        record(shown, answer, now);
        consents.grant(client.getClientId(), user.subject(), shown.scopes());
        return true;
    }

    private void record(DeviceTicket.Content shown, TokenItem answer, Instant now) {
        if (!tokens.decideDevice(shown.deviceKey(), answer, now.getEpochSecond())) {
            throw AuthorizationProblem.shownToUser("this code was already answered or has expired; start again on the device");
        }
    }

    /** A new user code's row, pointing at the device code; a code that happens to be live already is drawn again. */
    private String storeUserCode(String deviceKey, String clientId, Instant now) {
        for (int attempt = 1; ; attempt++) {
            String userCode = UserCodes.newCode();
            TokenItem pointer = row(TokenKeys.userCode(userCodeHash(userCode)), TokenKeys.USER_CODE, clientId, now);
            pointer.setDetails(deviceKey);
            try {
                tokens.create(pointer);
                return userCode;
            } catch (ConditionalCheckFailedException live) {
                if (attempt == 3) {
                    throw live;
                }
            }
        }
    }

    private String userCodeHash(String canonicalCode) {
        return hasher.hash(USER_CODE_PURPOSE + canonicalCode);
    }

    private static boolean live(TokenItem row, Instant now) {
        return row.getExpiresAt() != null && row.getExpiresAt() > now.getEpochSecond() && row.getConsumedAt() == null;
    }

    private static TokenItem row(String key, String kind, String clientId, Instant now) {
        TokenItem row = new TokenItem();
        row.setTokenKey(key);
        row.setKind(kind);
        row.setClientId(clientId);
        row.setIssuedAt(now.toEpochMilli());
        row.setExpiresAt(now.plus(LIFETIME).getEpochSecond());
        row.setTtl(now.plus(LIFETIME).getEpochSecond());
        return row;
    }
}
