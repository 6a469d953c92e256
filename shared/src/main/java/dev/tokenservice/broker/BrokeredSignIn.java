package dev.tokenservice.broker;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.broker.SignInFailure.Reason;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.Log;
import dev.tokenservice.oauth.authorization.AuthorizationEndpoint;
import dev.tokenservice.oauth.authorization.LoginHandOff;
import dev.tokenservice.oauth.authorization.SignedTicket;
import dev.tokenservice.sessions.NewSession;
import dev.tokenservice.sessions.Sessions;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Signing a person in through an upstream OpenID provider, as the login front end of the sign-in hand-off.
 * Start: the browser goes to the upstream's authorization endpoint with a state, a nonce and a PKCE S256
 * challenge, which a short-lived signed cookie binds to this browser along with the hand-off's link back.
 * Callback: the state must be the cookie's and is used once, the code is exchanged, the ID token verified, its
 * claims mapped, a session minted, and the browser continues the hand-off's link (only that link). Anything
 * else is a {@link SignInFailure}: a page, never a session.
 */
public final class BrokeredSignIn {

    public static final String STATE_COOKIE = "asc_upstream_state";
    /** Long enough to sign in upstream, with a second factor; short enough that a forgotten tab's state dies. */
    public static final long STATE_LIFETIME_SECONDS = 600;
    private static final String PURPOSE = "upstream-sign-in|";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** What the hand-off passes on that the upstream understands too (Core §3.1.2.1). */
    private static final List<String> PASSED_ON = List.of("max_age", "login_hint", "ui_locales");

    /** The browser's way to the upstream, and the state cookie's value that binds the attempt to the browser. */
    public record Started(String location, String stateCookie) {
    }

    /** A signed-in person: the session to set as the cookie, and the hand-off's link to continue. */
    public record Finished(Sessions.Minted session, String returnTo) {
    }

    private final Map<String, UpstreamProvider> upstreams;
    private final SecretHasher hasher;
    /** Made on first use: the start route signs nothing, so its function never reads a signing key. */
    private final Supplier<Sessions> sessions;
    private final TokenRepository tokens;
    private final Clock clock;

    public BrokeredSignIn(Map<String, UpstreamProvider> upstreams, SecretHasher hasher, Supplier<Sessions> sessions,
            TokenRepository tokens, Clock clock) {
        this.upstreams = Map.copyOf(upstreams);
        this.hasher = hasher;
        this.sessions = sessions;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** The upstreams people may sign in with, by id. */
    public Map<String, UpstreamProvider> upstreams() {
        return upstreams;
    }

    public Started start(String upstreamId, Map<String, List<String>> query, String issuerUrl) {
        UpstreamProvider provider = provider(upstreamId);
        String returnTo = single(query, "return_to");
        if (!LoginHandOff.isReturnLink(hasher, issuerUrl, returnTo, clock.instant())) {
            throw new SignInFailure(Reason.START_LINK_INVALID);
        }
        String state = randomValue();
        String nonce = randomValue();
        String verifier = randomValue() + randomValue();
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("response_type", "code");
        parameters.put("client_id", provider.upstream().clientId());
        parameters.put("redirect_uri", provider.upstream().redirectUri(issuerUrl));
        parameters.put("scope", String.join(" ", provider.upstream().scopes()));
        parameters.put("state", state);
        parameters.put("nonce", nonce);
        parameters.put("code_challenge", challenge(verifier));
        parameters.put("code_challenge_method", "S256");
        // The client asked for a fresh sign-in: only the upstream can give one, so it is asked to.
        String prompt = single(query, "prompt");
        if (prompt != null && List.of(prompt.split(" ")).contains("login")) {
            parameters.put("prompt", "login");
        }
        for (String name : PASSED_ON) {
            String value = single(query, name);
            if (value != null && !value.isEmpty() && value.length() <= 512) {
                parameters.put(name, value);
            }
        }
        String location = AuthorizationEndpoint.withQuery(provider.endpoints().authorization(), parameters);
        ObjectNode content = Json.object()
                .put("upstream", upstreamId)
                .put("state", state)
                .put("nonce", nonce)
                .put("verifier", verifier)
                .put("return_to", returnTo)
                .put("jti", randomValue())
                .put("exp", clock.instant().getEpochSecond() + STATE_LIFETIME_SECONDS);
        return new Started(location, SignedTicket.seal(hasher, PURPOSE, content));
    }

    /**
     * The upstream's answer, in the browser that started the sign-in (its state cookie): a session and the link
     * back, or a SignInFailure naming what failed.
     */
    public Finished finish(String upstreamId, Map<String, List<String>> query, Optional<String> stateCookie,
            String issuerUrl) {
        UpstreamProvider provider = provider(upstreamId);
        JsonNode started = stateCookie.flatMap(cookie -> SignedTicket.open(hasher, PURPOSE, cookie))
                .filter(content -> upstreamId.equals(content.path("upstream").asText()))
                .filter(content -> clock.instant().getEpochSecond() <= content.path("exp").asLong(0))
                .orElseThrow(() -> new SignInFailure(Reason.NO_SIGN_IN_STARTED));
        if (!started.path("state").asText().equals(single(query, "state"))) {
            throw new SignInFailure(Reason.STATE_MISMATCH);
        }
        // Used once, whatever comes next: a replayed answer (the same cookie and URL again) fails here.
        if (!tokens.recordOnce(TokenKeys.upstreamSignIn(started.path("jti").asText()),
                started.path("exp").asLong() + UpstreamIdToken.CLOCK_SKEW_SECONDS)) {
            throw new SignInFailure(Reason.REPLAYED);
        }
        String error = single(query, "error");
        if (error != null) {
            throw new SignInFailure(Reason.UPSTREAM_ERROR, UpstreamProvider.printable(error));
        }
        String code = single(query, "code");
        if (code == null || code.isEmpty()) {
            throw new SignInFailure(Reason.UPSTREAM_ERROR, "the answer carries neither a code nor an error");
        }
        UpstreamProvider.Tokens answer = provider.exchange(code, provider.upstream().redirectUri(issuerUrl),
                started.path("verifier").asText());
        JWTClaimsSet claims = UpstreamIdToken.verify(provider, answer.idToken(), answer.accessToken(),
                started.path("nonce").asText(), clock);
        NewSession signedIn = new NewSession(subject(provider.upstream(), claims), authTime(claims),
                userClaims(provider.upstream(), claims));
        return new Finished(sessions.get().mint(issuerUrl, frontEnd(upstreamId), signedIn),
                started.path("return_to").asText());
    }

    /** The front end a brokered session names (its azp): revoking this "client" ends every session it vouched for. */
    public static String frontEnd(String upstreamId) {
        return "upstream:" + upstreamId;
    }

    private UpstreamProvider provider(String upstreamId) {
        UpstreamProvider provider = upstreamId == null ? null : upstreams.get(upstreamId);
        if (provider == null) {
            throw new SignInFailure(Reason.NOT_CONFIGURED);
        }
        return provider;
    }

    /**
     * The configured claim, or by default a value derived from the upstream's issuer and subject: stable for as
     * long as the upstream keeps its sub, the same person from another upstream is another subject, and an
     * e-mail address (which people change and providers reassign) is never an identity.
     */
    static String subject(Upstream upstream, JWTClaimsSet claims) {
        if (upstream.subjectClaim().isPresent()) {
            Object value = claims.getClaim(upstream.subjectClaim().get());
            String subject = value instanceof String text ? text : value instanceof Number number ? number.toString() : null;
            if (subject == null || FieldRules.blank(subject) || !usableIdentifier(subject)) {
                throw new SignInFailure(Reason.SUBJECT_MISSING, upstream.subjectClaim().get());
            }
            return subject;
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isEmpty()) {
            throw new SignInFailure(Reason.SUBJECT_MISSING, "sub");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((claims.getIssuer() + "\n" + sub).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private static boolean usableIdentifier(String value) {
        try {
            FieldRules.identifier("sub", value);
            return true;
        } catch (ApiError unusable) {
            return false;
        }
    }

    /** The upstream's auth_time (a later upstream sign-in is not claimed earlier); now when it gives none. */
    private Long authTime(JWTClaimsSet claims) {
        long now = clock.instant().getEpochSecond();
        return claims.getClaim("auth_time") instanceof Number given ? Math.min(given.longValue(), now) : null;
    }

    /**
     * The configured profile claims, each checked as a login front end's would be; a value a session could not
     * carry faithfully (wrong type, overlong) is left out and logged by name, and the sign-in goes on without it.
     */
    private static UserClaims userClaims(Upstream upstream, JWTClaimsSet claims) {
        ObjectNode profile = Json.object();
        List<String> dropped = new ArrayList<>();
        upstream.profileClaims().forEach((target, source) -> {
            Object value = claims.getClaim(source);
            if (value == null) {
                return;
            }
            ObjectNode one = Json.object();
            one.putObject("claims").set(target, Json.MAPPER.valueToTree(value));
            Optional<UserClaims> parsed = parse(one);
            if (parsed.isPresent()) {
                profile.setAll(parsed.get().profile());
            } else {
                dropped.add(target);
            }
        });
        ObjectNode how = Json.object();
        if (claims.getClaim("amr") instanceof List<?> amr) {
            how.set("amr", Json.MAPPER.valueToTree(amr));
        }
        if (claims.getClaim("acr") instanceof String acr) {
            how.put("acr", acr);
        }
        UserClaims method = parse(how).orElseGet(() -> {
            dropped.add("amr/acr");
            return UserClaims.NONE;
        });
        if (!dropped.isEmpty()) {
            Log.warn("upstream claims left out of the session", "upstream", upstream.id(), "claims", dropped);
        }
        return new UserClaims(method.amr(), method.acr(), profile);
    }

    private static Optional<UserClaims> parse(ObjectNode body) {
        try {
            return Optional.of(UserClaims.parse(JsonBody.parse(new ApiRequest(new APIGatewayProxyRequestEvent()
                    .withHeaders(Map.of("Content-Type", "application/json")).withBody(body.toString())))));
        } catch (ApiError unusable) {
            return Optional.empty();
        }
    }

    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.size() != 1 ? null : values.get(0);
    }

    private static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** 256 random bits, base64url. */
    private static String randomValue() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
