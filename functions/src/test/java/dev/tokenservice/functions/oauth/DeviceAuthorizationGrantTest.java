package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.testing.AtRest;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8628 end to end through the handlers: a device starts at POST /oauth2/device_authorization, the person types
 * the user code at /oauth2/device in a signed-in browser and answers, and the device polls POST /oauth2/token with
 * the device code: authorization_pending, slow_down, access_denied, expired_token, and the person's tokens once.
 */
class DeviceAuthorizationGrantTest {

    private static final String GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private static final String LOGIN_URL = "https://login.example.com/sign-in";
    private static final Pattern USER_CODE_FORMAT = Pattern.compile("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");
    private static final Pattern TICKET = Pattern.compile("name=\"ticket\" value=\"([^\"]+)\"");

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private StartDeviceAuthorizationHandler start;
    private ShowDevicePageHandler showPage;
    private AnswerDevicePageHandler answerPage;
    private String tvClient;
    private String session;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock, Map.of("LOGIN_URL", LOGIN_URL));
        oauth = new OAuthEndpoints(services);
        start = new StartDeviceAuthorizationHandler(services);
        showPage = new ShowDevicePageHandler(services);
        answerPage = new AnswerDevicePageHandler(services);
        tvClient = register("Living Room TV", null, List.of("none"));
        session = Requests.session(services, "ada");
    }

    @Test
    void aDeviceSignsInOnceThePersonApprovesItsCode() throws Exception {
        // WHEN a public client starts a device authorization
        APIGatewayProxyResponseEvent started = startFor(tvClient, "openid files:read");

        // THEN it gets a device code, a user code in the RFC 8628 §6.1 form, where to type it, and how often to poll
        assertEquals(200, started.getStatusCode(), started.getBody());
        assertEquals("no-store", started.getHeaders().get("Cache-Control"));
        JsonNode device = json(started);
        String userCode = device.path("user_code").asText();
        assertTrue(USER_CODE_FORMAT.matcher(userCode).matches(), userCode);
        assertEquals(TestServices.ISSUER + "/oauth2/device", device.path("verification_uri").asText());
        assertEquals(TestServices.ISSUER + "/oauth2/device?user_code=" + userCode,
                device.path("verification_uri_complete").asText());
        assertEquals(600, device.path("expires_in").asInt());
        assertEquals(5, device.path("interval").asInt());
        String deviceCode = device.path("device_code").asText();
        // AND neither code is stored in clear: the device code as its SHA-256, the user code only keyed-hashed
        assertFalse(AtRest.tokenRow(services, "DC#" + AtRest.sha256(deviceCode)).isEmpty());
        assertTrue(AtRest.tokenRow(services, "DC#" + deviceCode).isEmpty());
        assertTrue(AtRest.tokenRow(services, "UC#" + userCode).isEmpty());
        assertTrue(AtRest.tokenRow(services, "UC#" + AtRest.sha256(userCode)).isEmpty());

        // AND until the person answers, the device hears authorization_pending
        assertEquals("authorization_pending", error(poll(tvClient, deviceCode)));

        // WHEN the person opens the link, types the code in lower case without the dash, and approves
        APIGatewayProxyResponseEvent form = page(session, "user_code=" + userCode);
        assertEquals(200, form.getStatusCode(), form.getBody());
        assertTrue(form.getBody().contains("value=\"" + userCode + "\""), "the link fills the code in");
        APIGatewayProxyResponseEvent confirmation = enter(session, userCode.replace("-", "").toLowerCase());
        assertEquals(200, confirmation.getStatusCode(), confirmation.getBody());
        assertTrue(confirmation.getBody().contains("Living Room TV"), confirmation.getBody());
        assertTrue(confirmation.getBody().contains(userCode), "the page shows the code to compare with the device");
        assertEquals("DENY", confirmation.getHeaders().get("X-Frame-Options"));
        APIGatewayProxyResponseEvent answered = answer(session, ticketOf(confirmation), "approve");
        assertEquals(200, answered.getStatusCode(), answered.getBody());
        assertTrue(answered.getBody().contains("Your device is connected"), answered.getBody());

        // THEN the device's next poll gets the person's tokens: access, refresh and ID token, never cached
        clock.advance(Duration.ofSeconds(5));
        APIGatewayProxyResponseEvent issued = poll(tvClient, deviceCode);
        assertEquals(200, issued.getStatusCode(), issued.getBody());
        assertEquals("no-store", issued.getHeaders().get("Cache-Control"));
        JsonNode tokens = json(issued);
        assertEquals("ada", SignedJWT.parse(tokens.path("access_token").asText()).getJWTClaimsSet().getSubject());
        assertEquals("ada", SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet().getSubject());
        assertEquals(tvClient, SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet().getAudience().get(0));
        assertEquals("openid files:read", tokens.path("scope").asText());
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
        JsonNode refreshed = json(oauth.token(Map.of("grant_type", "refresh_token", "client_id", tvClient,
                "refresh_token", tokens.path("refresh_token").asText())));
        assertNotNull(refreshed.path("access_token").textValue(), refreshed.toString());

        // AND the device code works once
        clock.advance(Duration.ofSeconds(5));
        assertEquals("invalid_grant", error(poll(tvClient, deviceCode)));
    }

    @Test
    void aDevicePollingSoonerThanItsIntervalIsToldToSlowDownAndItsIntervalGrows() {
        String deviceCode = json(startFor(tvClient, "files:read")).path("device_code").asText();
        assertEquals("authorization_pending", error(poll(tvClient, deviceCode)));

        // WHEN it polls again after 2 s instead of 5
        clock.advance(Duration.ofSeconds(2));
        APIGatewayProxyResponseEvent tooSoon = poll(tvClient, deviceCode);

        // THEN slow_down, and from now on it must wait 10 s (RFC 8628 §3.5: 5 s more)
        assertEquals("slow_down", error(tooSoon));
        assertEquals(400, tooSoon.getStatusCode());
        clock.advance(Duration.ofSeconds(6));
        assertEquals("slow_down", error(poll(tvClient, deviceCode)), "6 s is sooner than the grown interval");
        clock.advance(Duration.ofSeconds(15));
        assertEquals("authorization_pending", error(poll(tvClient, deviceCode)), "15 s is after 10 + 5");
    }

    @Test
    void aDeniedRequestIsAccessDeniedForTheDevice() {
        JsonNode device = json(startFor(tvClient, "files:read"));

        APIGatewayProxyResponseEvent answered = answer(session,
                ticketOf(enter(session, device.path("user_code").asText())), "deny");

        assertTrue(answered.getBody().contains("not connected"), answered.getBody());
        assertEquals("access_denied", error(poll(tvClient, device.path("device_code").asText())));
        // AND the code cannot be approved after all
        assertEquals(400, enter(session, device.path("user_code").asText()).getStatusCode());
    }

    @Test
    void anUnansweredCodeExpiresForTheDeviceAndThePage() {
        JsonNode device = json(startFor(tvClient, "files:read"));
        String ticket = ticketOf(enter(session, device.path("user_code").asText()));

        clock.advance(Duration.ofSeconds(601));

        assertEquals("expired_token", error(poll(tvClient, device.path("device_code").asText())));
        assertEquals(400, enter(session, device.path("user_code").asText()).getStatusCode());
        APIGatewayProxyResponseEvent late = answer(session, ticket, "approve");
        assertEquals(400, late.getStatusCode());
        assertTrue(late.getBody().contains("expired"), late.getBody());
    }

    @Test
    void aDeviceCodeIsRedeemedOnlyByItsClient() {
        String other = register("Other TV", null, List.of("none"));
        JsonNode device = json(startFor(tvClient, "files:read"));
        answer(session, ticketOf(enter(session, device.path("user_code").asText())), "approve");

        assertEquals("invalid_grant", error(poll(other, device.path("device_code").asText())));
        assertEquals("invalid_grant", error(poll(tvClient, "not-a-device-code")));
        assertEquals(200, poll(tvClient, device.path("device_code").asText()).getStatusCode(),
                "the other client's attempt did not use the code up");
    }

    @Test
    void aDisabledPublicClientGetsNoTokensForAnApprovedCode() {
        // GIVEN an approved device code of the public TV client
        JsonNode device = json(startFor(tvClient, "files:read"));
        answer(session, ticketOf(enter(session, device.path("user_code").asText())), "approve");

        // WHEN the client is disabled before it polls
        TestServices.changeClient(services, tvClient, client -> client.setEnabled(false));
        clock.advance(java.time.Duration.ofSeconds(1));

        // THEN it is told so, and gets nothing
        APIGatewayProxyResponseEvent refused = poll(tvClient, device.path("device_code").asText());
        assertEquals(400, refused.getStatusCode(), refused.getBody());
        assertEquals("unauthorized_client", error(refused));
    }

    @Test
    void aDeviceCodeExpiresOnItsSecondEvenWhenApproved() {
        // GIVEN two approved device codes, started on a whole second
        clock.advance(java.time.Duration.ofMillis(1000 - clock.millis() % 1000));
        JsonNode early = json(startFor(tvClient, "files:read"));
        JsonNode late = json(startFor(tvClient, "files:read"));
        for (JsonNode device : List.of(early, late)) {
            answer(session, ticketOf(enter(session, device.path("user_code").asText())), "approve");
        }

        // THEN one polled in its last second gets tokens, and one polled on its expiry second is expired
        clock.advance(java.time.Duration.ofMillis(600_000 - 1));
        assertEquals(200, poll(tvClient, early.path("device_code").asText()).getStatusCode());
        clock.advance(java.time.Duration.ofMillis(1));
        assertEquals("expired_token", error(poll(tvClient, late.path("device_code").asText())));
    }

    @Test
    void anApprovalRevokedBeforeThePollGivesNoTokensEvenInTheSameMillisecond() {
        // GIVEN an approved device code
        JsonNode device = json(startFor(tvClient, "files:read"));
        answer(session, ticketOf(enter(session, device.path("user_code").asText())), "approve");

        // WHEN the person's grants at the client are revoked at that very instant (the consent withdrawn)
        services.tokenRepository().revokeGrantsUpToNow(
                dev.tokenservice.tokens.TokenKeys.subjectAtClientRevocation(tvClient, "ada"), clock,
                java.time.Duration.ofDays(1));

        // THEN the device gets nothing: a grant made up to the revocation's instant is revoked
        assertEquals("invalid_grant", error(poll(tvClient, device.path("device_code").asText())));
    }

    @Test
    void aClientThatLostTheGrantAfterStartingGetsNoTokens() {
        JsonNode device = json(startFor(tvClient, "files:read"));
        answer(session, ticketOf(enter(session, device.path("user_code").asText())), "approve");
        TestServices.changeClient(services, tvClient, client -> client.setGrantTypes(List.of("refresh_token")));
        clock.advance(java.time.Duration.ofSeconds(1));

        assertEquals("unauthorized_client", error(poll(tvClient, device.path("device_code").asText())));
    }

    @Test
    void guessingUserCodesIsSlowedDownPerPersonAndPastTheLimitEvenTheRightCodeIsNotLookedUp() {
        String userCode = json(startFor(tvClient, "files:read")).path("user_code").asText();

        // WHEN a person types ten codes that are not live
        for (int i = 0; i < 10; i++) {
            APIGatewayProxyResponseEvent wrong = enter(session, "BCDF-GHJ" + "BCDFGHJKLM".charAt(i));
            assertEquals(400, wrong.getStatusCode(), "guess " + i + ": " + wrong.getBody());
        }

        // THEN the eleventh entry, even of the right code, is answered 429 with Retry-After and shows no confirmation
        var logged = dev.tokenservice.testing.LogCapture.during(() -> enter(session, userCode));
        APIGatewayProxyResponseEvent slowed = logged.result();
        assertEquals(429, slowed.getStatusCode(), slowed.getBody());
        assertNotNull(slowed.getHeaders().get("Retry-After"));
        assertFalse(TICKET.matcher(slowed.getBody()).find(), "no confirmation form past the limit");
        // AND operators see the slow-down, without the person it is about
        var line = logged.line("user code entries slowed down");
        assertEquals(11, line.path("failures").asInt());
        assertFalse(String.join("\n", logged.lines()).contains("ada"), logged.lines().toString());
        // AND another person is not slowed down by it
        String grace = Requests.session(services, "grace");
        assertEquals(200, enter(grace, userCode).getStatusCode());
    }

    @Test
    void nobodySignedInIsSentToSignInAndBackToThePageWithTheCode() {
        // WHEN a browser without a session opens the complete link
        APIGatewayProxyResponseEvent redirect = page(null, "user_code=bcdf-ghjk");

        // THEN it goes to the login front end, which is told to come back to the page with the code
        assertEquals(302, redirect.getStatusCode(), redirect.getBody());
        String location = redirect.getHeaders().get("Location");
        assertTrue(location.startsWith(LOGIN_URL + "?return_to="), location);
        String returnTo = URLDecoder.decode(URI.create(location).getRawQuery().replaceFirst("^return_to=([^&]*).*$", "$1"),
                StandardCharsets.UTF_8);
        assertEquals(TestServices.ISSUER + "/oauth2/device?user_code=BCDF-GHJK", returnTo);
        // AND a posted code or answer without a session, or with an access token in the cookie, signs nobody in
        assertEquals(401, enter(null, "BCDF-GHJK").getStatusCode());
        String accessToken = json(oauth.token(OAuthEndpoints.withClientSecret(register("Service", "s3cret",
                List.of("client_secret_post")), "s3cret", "grant_type", "client_credentials"))).path("access_token").asText();
        assertEquals(401, enter(accessToken, "BCDF-GHJK").getStatusCode());
    }

    @Test
    void theConfirmationIsBoundToTheSessionItWasShownIn() {
        JsonNode device = json(startFor(tvClient, "files:read"));
        String ticket = ticketOf(enter(session, device.path("user_code").asText()));

        // WHEN another person's browser posts that confirmation's approval
        APIGatewayProxyResponseEvent foreign = answer(Requests.session(services, "mallory"), ticket, "approve");

        // THEN it is refused and the device is still pending, for the person who saw the page to answer
        assertEquals(400, foreign.getStatusCode());
        assertEquals("authorization_pending", error(poll(tvClient, device.path("device_code").asText())));
        assertEquals(200, answer(session, ticket, "approve").getStatusCode());
    }

    @Test
    void signingOutTheApprovingSessionEndsTheDevicesTokens() {
        JsonNode device = json(startFor(tvClient, "openid files:read"));
        answer(session, ticketOf(enter(session, device.path("user_code").asText())), "approve");
        JsonNode tokens = json(poll(tvClient, device.path("device_code").asText()));
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
        // AND, in the same browser session, a web application's sign-in (its ID token names the browser session)
        ClientItem web = OAuthEndpoints.codeFlowClient(services, clock, "Web app", "web-secret");
        web.setScopes(List.of("openid"));
        web.setRedirectUris(List.of("https://web.example.com/cb"));
        services.clientRepository().create(web);
        String verifier = dev.tokenservice.oauth.token.OpaqueTokens.newValue();
        String code = oauth.approvedCode(session, OAuthEndpoints.codeRequest(web.getClientId(),
                "https://web.example.com/cb", "openid", verifier));
        String webIdToken = json(oauth.token(OAuthEndpoints.withClientSecret(web.getClientId(), "web-secret",
                "grant_type", "authorization_code", "code", code, "redirect_uri", "https://web.example.com/cb",
                "code_verifier", verifier))).path("id_token").asText();

        // WHEN the browser session signs out there (RP-initiated logout with the web application's ID token)
        oauth.logout(null, Map.of("id_token_hint", webIdToken));

        // THEN the device's access token and refresh token, issued in that session, are refused too
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
        assertEquals("invalid_grant", error(oauth.token(Map.of("grant_type", "refresh_token", "client_id", tvClient,
                "refresh_token", tokens.path("refresh_token").asText()))));
    }

    @Test
    void theStartIsRefusedForWhatTheClientMayNotAsk() {
        String confidential = register("Console", "s3cret", List.of("client_secret_post"));
        ClientItem withoutGrant = OAuthEndpoints.codeFlowClient(services, clock, "Web only", "s3cret");
        withoutGrant.setScopes(List.of("files:read"));
        withoutGrant.setAuthenticationMethods(List.of("none"));
        services.clientRepository().create(withoutGrant);

        assertEquals("invalid_scope", error(startFor(tvClient, "files:write")));
        assertEquals("unauthorized_client", error(startFor(withoutGrant.getClientId(), "files:read")));
        APIGatewayProxyResponseEvent wrongSecret = start(Map.of("client_id", confidential, "client_secret", "nope"));
        assertEquals(401, wrongSecret.getStatusCode());
        assertEquals("invalid_client", error(wrongSecret));
        assertEquals(401, start(Map.of("client_id", confidential)).getStatusCode(), "a secret client must authenticate");
        assertEquals(200, start(Map.of("client_id", confidential, "client_secret", "s3cret", "scope", "files:read"))
                .getStatusCode());
        assertEquals("invalid_target", error(start(Map.of("client_id", tvClient, "resource", "https://elsewhere.example.com/"))));
    }

    private String register(String name, String secret, List<String> methods) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, name, secret == null ? SecretHasher.newSecret() : secret);
        client.setScopes(List.of("openid", "files:read"));
        client.setAuthenticationMethods(methods);
        client.setGrantTypes(List.of(GRANT, "refresh_token", "client_credentials"));
        services.clientRepository().create(client);
        return client.getClientId();
    }

    private APIGatewayProxyResponseEvent startFor(String clientId, String scope) {
        return start(Map.of("client_id", clientId, "scope", scope));
    }

    private APIGatewayProxyResponseEvent start(Map<String, String> parameters) {
        return start.handleRequest(OAuthEndpoints.formPost("/oauth2/device_authorization", parameters), null);
    }

    private APIGatewayProxyResponseEvent poll(String clientId, String deviceCode) {
        return oauth.token(Map.of("grant_type", GRANT, "client_id", clientId, "device_code", deviceCode));
    }

    private static String error(APIGatewayProxyResponseEvent response) {
        return json(response).path("error").asText();
    }

    /** GET /oauth2/device with this raw query, in this browser session (none when null). */
    private APIGatewayProxyResponseEvent page(String sessionCredential, String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return showPage.handleRequest(browser("GET", sessionCredential, null).withQueryStringParameters(parameters), null);
    }

    private APIGatewayProxyResponseEvent enter(String sessionCredential, String userCode) {
        return answerPage.handleRequest(browser("POST", sessionCredential,
                OAuthEndpoints.form(Map.of("user_code", userCode))), null);
    }

    private APIGatewayProxyResponseEvent answer(String sessionCredential, String ticket, String decision) {
        return answerPage.handleRequest(browser("POST", sessionCredential,
                OAuthEndpoints.form(Map.of("ticket", ticket, "decision", decision))), null);
    }

    private static APIGatewayProxyRequestEvent browser(String method, String sessionCredential, String form) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        headers.put("Accept", "text/html");
        if (sessionCredential != null) {
            headers.put("Cookie", "asc_auth_key=" + sessionCredential);
        }
        if (form != null) {
            headers.put("Content-Type", "application/x-www-form-urlencoded");
        }
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withResource("/oauth2/device")
                .withPath("/oauth2/device").withHeaders(headers).withBody(form);
    }

    private static String ticketOf(APIGatewayProxyResponseEvent confirmation) {
        Matcher matcher = TICKET.matcher(confirmation.getBody());
        if (!matcher.find()) {
            throw new AssertionError("no confirmation form in: " + confirmation.getStatusCode() + " " + confirmation.getBody());
        }
        return matcher.group(1).replace("&amp;", "&");
    }
}
