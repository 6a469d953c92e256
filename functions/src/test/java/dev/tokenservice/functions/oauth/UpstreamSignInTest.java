package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.testing.LogCapture;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signing in through an upstream OpenID provider, against a provider on loopback (real HTTP, a real RSA key,
 * real ID tokens): the way through, and each way it fails, as a page naming what failed, never a 5xx, never a
 * session.
 */
class UpstreamSignInTest {

    private static final String REDIRECT_URI = "https://app.example.com/callback";

    private MutableClock clock;
    private FakeUpstream upstream;
    private Services services;
    private OAuthEndpoints oauth;
    private StartUpstreamSignInHandler start;
    private FinishUpstreamSignInHandler finish;
    private String clientId;

    /** One attempt in one browser: the start route's redirect and the state cookie it set. */
    private record Attempt(Map<String, String> upstreamRequest, String stateCookie, String returnTo) {
    }

    @BeforeEach
    void setUp() throws Exception {
        clock = MutableClock.startingNow();
        upstream = new FakeUpstream(clock);
        services = TestServices.create(clock, Map.of(
                "UPSTREAM_ISSUER_URL", upstream.issuer(),
                "UPSTREAM_CLIENT_ID", FakeUpstream.CLIENT_ID,
                "UPSTREAM_CLIENT_SECRET", FakeUpstream.CLIENT_SECRET,
                "UPSTREAM_PROFILE_CLAIMS", "name,email,preferred_username=upn"));
        oauth = new OAuthEndpoints(services);
        start = new StartUpstreamSignInHandler(services);
        finish = new FinishUpstreamSignInHandler(services);
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Photo Printer", SecretHasher.newSecret());
        client.setScopes(List.of("openid"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        services.clientRepository().create(client);
        clientId = client.getClientId();
    }

    @AfterEach
    void tearDown() {
        upstream.close();
    }

    @Test
    void aSignInAtTheUpstreamBecomesASessionWithTheMappedClaimsAndContinuesTheHandOff() throws Exception {
        // GIVEN an authorization request that needs a sign-in, handed to the upstream's start route by default
        Attempt attempt = begin(Map.of("prompt", "login", "max_age", "0", "login_hint", "ada@example.com"));
        // THEN the upstream is asked with state, nonce, PKCE S256, and to sign the person in again
        assertEquals("code", attempt.upstreamRequest().get("response_type"));
        assertEquals(FakeUpstream.CLIENT_ID, attempt.upstreamRequest().get("client_id"));
        assertEquals(TestServices.ISSUER + "/oauth2/upstream/idp/callback", attempt.upstreamRequest().get("redirect_uri"));
        assertEquals("openid profile email", attempt.upstreamRequest().get("scope"));
        assertEquals("S256", attempt.upstreamRequest().get("code_challenge_method"));
        assertEquals("login", attempt.upstreamRequest().get("prompt"));
        assertEquals("0", attempt.upstreamRequest().get("max_age"));
        assertEquals("ada@example.com", attempt.upstreamRequest().get("login_hint"));

        // WHEN the person signs in there and the upstream's answer comes back to the same browser
        APIGatewayProxyResponseEvent answer = callback(attempt, code(attempt, "upstream-user-7",
                Map.of("name", "Ada Lovelace", "email", "ada@example.com", "upn", "ada@corp.example",
                        "amr", List.of("pwd", "mfa"), "auth_time", clock.instant().getEpochSecond())));

        // THEN the browser gets a session and continues the hand-off's link, and the state cookie is cleared
        assertEquals(302, answer.getStatusCode(), answer.getBody());
        assertEquals(attempt.returnTo(), answer.getHeaders().get("Location"));
        List<String> cookies = answer.getMultiValueHeaders().get("Set-Cookie");
        assertTrue(cookies.stream().anyMatch(c -> c.startsWith("asc_upstream_state=;") && c.contains("Max-Age=0")));
        String credential = cookies.stream().filter(c -> c.startsWith("asc_auth_key=")).findFirst().orElseThrow()
                .replaceFirst("^asc_auth_key=([^;]*);.*$", "$1");
        Session session = services.sessions().check(Optional.of(credential), TestServices.ISSUER).session().orElseThrow();
        // AND sub is derived from the upstream's iss and sub (never the e-mail), the profile claims are mapped
        String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest((upstream.issuer() + "\nupstream-user-7").getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, session.subject());
        assertEquals("Ada Lovelace", session.claims().profile().path("name").asText());
        assertEquals("ada@example.com", session.claims().profile().path("email").asText());
        assertEquals("ada@corp.example", session.claims().profile().path("preferred_username").asText());
        assertEquals(List.of("pwd", "mfa"), session.claims().amr());
        assertEquals(clock.instant().getEpochSecond(), session.authTime(), "auth_time is the upstream's");
        // AND the hand-off's link, followed with the session, reaches the consent page
        var resumed = oauth.authorize(credential, query(URI.create(attempt.returnTo())));
        assertEquals(200, resumed.getStatusCode(), resumed.getBody());
    }

    @Test
    void anUpstreamThatDidNotSignThePersonInAgainDoesNotSatisfyPromptLogin() {
        // GIVEN prompt=login, and an upstream that answers with a sign-in older than the request (auth_time)
        Attempt attempt = begin(Map.of("prompt", "login"));
        var answer = callback(attempt, code(attempt, "u1", Map.of("auth_time", clock.instant().getEpochSecond() - 60)));
        assertEquals(302, answer.getStatusCode(), answer.getBody());
        // WHEN the hand-off's link is followed with that session
        var resumed = oauth.authorize(sessionCredential(answer), query(URI.create(attempt.returnTo())));
        // THEN no code: the client hears login_required (a request is handed off once)
        assertEquals(302, resumed.getStatusCode());
        String location = resumed.getHeaders().get("Location");
        assertTrue(location.startsWith(REDIRECT_URI + "?error=login_required"), location);
        assertFalse(location.contains("code="), location);
    }

    @Test
    void aSubjectClaimConfiguredIsTheSessionsSubject() {
        services = TestServices.create(clock, Map.of("UPSTREAM_ISSUER_URL", upstream.issuer(),
                "UPSTREAM_CLIENT_ID", FakeUpstream.CLIENT_ID, "UPSTREAM_CLIENT_SECRET", FakeUpstream.CLIENT_SECRET,
                "UPSTREAM_SUBJECT_CLAIM", "oid"));
        setHandlers();
        Attempt attempt = begin(Map.of());
        var answer = callback(attempt, code(attempt, "pairwise-sub", Map.of("oid", "00000000-0000-0000-0000-000000000042")));
        assertEquals(302, answer.getStatusCode(), answer.getBody());
        assertEquals("00000000-0000-0000-0000-000000000042", sessionOf(answer).subject());

        Attempt without = begin(Map.of());
        var refused = callback(without, code(without, "pairwise-sub", Map.of()));
        assertFailed(refused, "did not say who signed in");
    }

    @Test
    void aTamperedSignatureIsRefused() {
        Attempt attempt = begin(Map.of());
        upstream.serialized = token -> token.substring(0, token.length() - 4)
                + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertFailed(callback(attempt, code(attempt, "u1", Map.of())), "does not carry a valid signature");
    }

    @Test
    void anUnsignedOrHmacTokenIsRefusedWhateverItSays() {
        for (com.nimbusds.jose.Algorithm algorithm : List.of(com.nimbusds.jose.Algorithm.NONE, JWSAlgorithm.HS256)) {
            upstream.algorithm = algorithm;
            Attempt attempt = begin(Map.of());
            assertFailed(callback(attempt, code(attempt, "u1", Map.of())), "algorithm that is not accepted");
        }
    }

    @Test
    void aTokenOfAnotherIssuerAudienceNonceOrTimeIsRefused() {
        Map<String, java.util.function.UnaryOperator<JWTClaimsSet>> bends = new LinkedHashMap<>();
        bends.put("issued by another identity provider", c -> new JWTClaimsSet.Builder(c).issuer("https://evil.example").build());
        bends.put("issued for another application", c -> new JWTClaimsSet.Builder(c).audience("someone-else").build());
        bends.put("issued for another sign-in (nonce)", c -> new JWTClaimsSet.Builder(c).claim("nonce", "other").build());
        bends.put("has expired", c -> new JWTClaimsSet.Builder(c).expirationTime(
                Date.from(clock.instant().minus(Duration.ofMinutes(5)))).build());
        bends.put("does not match the access token", c -> new JWTClaimsSet.Builder(c).claim("at_hash", "AAAA").build());
        bends.forEach((expected, bend) -> {
            upstream.idTokens = bend;
            Attempt attempt = begin(Map.of());
            assertFailed(callback(attempt, code(attempt, "u1", Map.of())), expected);
        });
    }

    @Test
    void aReplayedCallbackIsRefusedWithoutAskingTheUpstreamAgain() {
        Attempt attempt = begin(Map.of());
        String code = code(attempt, "u1", Map.of());
        assertEquals(302, callback(attempt, code).getStatusCode());
        int exchanges = upstream.tokenRequests.get();
        // WHEN the same answer, with the same state cookie, comes again (a stolen or reloaded callback)
        var replayed = callback(attempt, code);
        // THEN it is refused before the code goes anywhere
        assertFailed(replayed, "already used");
        assertEquals(exchanges, upstream.tokenRequests.get());
    }

    @Test
    void aCallbackInAnotherBrowserOrForAnotherAttemptIsRefused() {
        Attempt first = begin(Map.of());
        Attempt second = begin(Map.of());
        String code = code(first, "u1", Map.of());
        // another browser: no state cookie
        assertFailed(finish(callbackQuery(first.upstreamRequest().get("state"), code), null), "no sign-in was started");
        // this browser's later attempt: its cookie holds another state
        assertFailed(finish(callbackQuery(first.upstreamRequest().get("state"), code), second.stateCookie()),
                "belongs to another sign-in");
        // a forged cookie
        assertFailed(finish(callbackQuery(first.upstreamRequest().get("state"), code), "e30.forged"),
                "no sign-in was started");
        // an expired attempt
        clock.advance(Duration.ofMinutes(11));
        assertFailed(callback(first, code), "no sign-in was started");
        assertEquals(0, upstream.tokenRequests.get(), "no code was exchanged for any of them");
    }

    @Test
    void theUpstreamsErrorIsShownByCodeWithoutASession() {
        Attempt attempt = begin(Map.of());
        Map<String, String> query = new LinkedHashMap<>();
        query.put("state", attempt.upstreamRequest().get("state"));
        query.put("error", "access_denied");
        query.put("error_description", "<script>alert(1)</script>");
        var refused = finish(query, attempt.stateCookie());
        assertFailed(refused, "refused the sign-in");
        assertTrue(refused.getBody().contains("access_denied"));
        assertFalse(refused.getBody().contains("<script>"));
    }

    @Test
    void anUnreachableUpstreamOrUnavailableKeysArePagesNot5xx() {
        Attempt attempt = begin(Map.of());
        String code = code(attempt, "u1", Map.of());
        upstream.jwksAvailable = false;
        assertFailed(callback(attempt, code), "signing keys (JWKS) could not be read");

        // the upstream stopped: the start route cannot read its discovery document
        upstream.close();
        Services fresh = TestServices.create(clock, Map.of("UPSTREAM_ISSUER_URL", upstream.issuer(),
                "UPSTREAM_CLIENT_ID", FakeUpstream.CLIENT_ID, "UPSTREAM_CLIENT_SECRET", FakeUpstream.CLIENT_SECRET));
        services = fresh;
        setHandlers();
        String startLocation = handOffLocation(Map.of());
        var captured = LogCapture.during(() -> start.handleRequest(get("/oauth2/upstream/{upstream}/start",
                URI.create(startLocation), null), null));
        assertFailed(captured.result(), "could not be reached");
        long logged = captured.json().stream().filter(line -> "upstream sign-in failed".equals(line.path("message").asText()))
                .count();
        assertEquals(1, logged, "logged once");
        assertFalse(captured.lines().stream().anyMatch(line -> line.contains(FakeUpstream.CLIENT_SECRET)));
    }

    @Test
    void theStartRouteContinuesOnlyTheHandOffsOwnLink() {
        String location = handOffLocation(Map.of());
        String forged = "https://evil.example/phish";
        var refused = start.handleRequest(get("/oauth2/upstream/{upstream}/start", URI.create(TestServices.ISSUER
                + "/oauth2/upstream/idp/start?return_to=" + URLEncoder.encode(forged, StandardCharsets.UTF_8)), null), null);
        assertFailed(refused, "not genuine");
        var unknown = start.handleRequest(get("/oauth2/upstream/{upstream}/start", URI.create(location.replace(
                "/upstream/idp/", "/upstream/other/")), null), null);
        assertEquals(404, unknown.getStatusCode());
        assertTrue(unknown.getBody().contains("not configured"));
    }

    // ---- the browser's part

    private void setHandlers() {
        oauth = new OAuthEndpoints(services);
        start = new StartUpstreamSignInHandler(services);
        finish = new FinishUpstreamSignInHandler(services);
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Photo Printer", SecretHasher.newSecret());
        client.setScopes(List.of("openid"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        services.clientRepository().create(client);
        clientId = client.getClientId();
    }

    /** The authorization request's hand-off, which goes to the start route (LoginUrl's default with an upstream). */
    private String handOffLocation(Map<String, String> extra) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", REDIRECT_URI);
        query.put("scope", "openid");
        query.put("state", "s1");
        query.put("code_challenge", FakeUpstream.s256(OpaqueTokens.newValue()));
        query.put("code_challenge_method", "S256");
        query.putAll(extra);
        var handOff = oauth.authorize(null, query);
        assertEquals(302, handOff.getStatusCode(), handOff.getBody());
        String location = handOff.getHeaders().get("Location");
        assertTrue(location.startsWith(TestServices.ISSUER + "/oauth2/upstream/idp/start?return_to="), location);
        return location;
    }

    private Attempt begin(Map<String, String> extra) {
        URI startUri = URI.create(handOffLocation(extra));
        var started = start.handleRequest(get("/oauth2/upstream/{upstream}/start", startUri, null), null);
        assertEquals(302, started.getStatusCode(), started.getBody());
        String cookie = started.getMultiValueHeaders().get("Set-Cookie").get(0);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/oauth2/upstream/idp/"), cookie);
        URI toUpstream = URI.create(started.getHeaders().get("Location"));
        assertTrue(toUpstream.toString().startsWith(upstream.issuer() + "/authorize?"), toUpstream.toString());
        return new Attempt(query(toUpstream), cookie.replaceFirst("^asc_upstream_state=([^;]*);.*$", "$1"),
                query(startUri).get("return_to"));
    }

    private String code(Attempt attempt, String subject, Map<String, Object> claims) {
        return upstream.issueCode(subject, attempt.upstreamRequest().get("nonce"),
                attempt.upstreamRequest().get("code_challenge"), claims);
    }

    private APIGatewayProxyResponseEvent callback(Attempt attempt, String code) {
        return finish(callbackQuery(attempt.upstreamRequest().get("state"), code), attempt.stateCookie());
    }

    private static Map<String, String> callbackQuery(String state, String code) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("code", code);
        query.put("state", state);
        return query;
    }

    private APIGatewayProxyResponseEvent finish(Map<String, String> query, String stateCookie) {
        String encoded = query.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
                StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return finish.handleRequest(get("/oauth2/upstream/{upstream}/callback",
                URI.create(TestServices.ISSUER + "/oauth2/upstream/idp/callback?" + encoded), stateCookie), null);
    }

    private static APIGatewayProxyRequestEvent get(String route, URI uri, String stateCookie) {
        APIGatewayProxyRequestEvent event = Requests.request("GET", route, uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), null, null);
        event.getHeaders().put("Accept", "text/html");
        if (stateCookie != null) {
            event.getHeaders().put("Cookie", "asc_upstream_state=" + stateCookie);
        }
        return event;
    }

    private Session sessionOf(APIGatewayProxyResponseEvent answer) {
        return services.sessions().check(Optional.of(sessionCredential(answer)), TestServices.ISSUER).session()
                .orElseThrow();
    }

    private static String sessionCredential(APIGatewayProxyResponseEvent answer) {
        return answer.getMultiValueHeaders().get("Set-Cookie").stream()
                .filter(c -> c.startsWith("asc_auth_key=")).findFirst().orElseThrow()
                .replaceFirst("^asc_auth_key=([^;]*);.*$", "$1");
    }

    /** A page (400) saying what failed, with no session cookie, no redirect, and no code or token in it. */
    private static void assertFailed(APIGatewayProxyResponseEvent response, String expected) {
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertTrue(response.getHeaders().get("Content-Type").startsWith("text/html"));
        assertTrue(response.getBody().toLowerCase().contains(expected.toLowerCase()), expected + " in " + response.getBody());
        assertEquals(null, response.getHeaders().get("Location"));
        List<String> cookies = response.getMultiValueHeaders() == null ? List.of()
                : response.getMultiValueHeaders().getOrDefault("Set-Cookie", List.of());
        assertFalse(cookies.stream().anyMatch(c -> c.startsWith("asc_auth_key=")), "no session");
        assertFalse(response.getBody().contains("code-"), "no code on the page");
        assertFalse(response.getBody().contains(FakeUpstream.CLIENT_SECRET), "no secret on the page");
        assertNotNull(response.getHeaders().get("Content-Security-Policy"));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }
}
