package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.redirectParameters;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.ticketOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.clients.RevokeClientConsentHandler;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.AtRest;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user flows of RFC 6749 §4.1 with PKCE, over DynamoDB Local: consent page, code, tokens, refresh
 * rotation, introspection and revocation, as a client application and its user would meet them.
 */
class AuthorizationCodeFlowTest {

    private static final String REDIRECT_URI = "https://app.example.com/callback";
    private static final String USER = "user-42";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private String clientId;
    private String clientSecret;
    private String userToken;
    private String verifier;
    private ExecutorService threads;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        oauth = new OAuthEndpoints(services);
        clientSecret = SecretHasher.newSecret();
        clientId = registerClient("Photo <Printer> & Co", clientSecret);
        userToken = Requests.session(services, USER);
        verifier = OpaqueTokens.newValue();
        threads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
    }

    @Test
    void approvingTheConsentPageRedirectsWithACodeThatBecomesTokens() throws Exception {
        // GIVEN a signed-in user who opens the client's authorization link
        APIGatewayProxyResponseEvent page = oauth.authorize(userToken, authorizationQuery("openid files:read"));

        // THEN a consent page names the client (escaped) and the scopes, and cannot be framed or cached
        assertEquals(200, page.getStatusCode(), page.getBody());
        assertTrue(page.getHeaders().get("Content-Type").startsWith("text/html"));
        assertTrue(page.getBody().contains("Photo &lt;Printer&gt; &amp; Co"));
        assertFalse(page.getBody().contains("<Printer>"));
        assertTrue(page.getBody().contains("View your files"));
        assertEquals("DENY", page.getHeaders().get("X-Frame-Options"));
        assertEquals("no-store", page.getHeaders().get("Cache-Control"));
        String policy = page.getHeaders().get("Content-Security-Policy");
        assertTrue(policy.contains("frame-ancestors 'none'") && policy.contains("form-action 'self' https://app.example.com"),
                policy);

        // WHEN the user approves
        APIGatewayProxyResponseEvent approved = oauth.decide(userToken, ticketOf(page), "approve");

        // THEN the browser goes back to the client with a code, the state and this issuer (RFC 9207)
        Map<String, String> callback = redirectParameters(approved);
        assertTrue(approved.getHeaders().get("Location").startsWith(REDIRECT_URI + "?"));
        assertEquals("xyz-state", callback.get("state"));
        assertEquals(TestServices.ISSUER, callback.get("iss"));
        assertEquals("openid files:read", services.consentStore().find(clientId, USER).orElseThrow().getScopes());

        // AND the code, with its PKCE verifier, becomes an access and a refresh token for the user
        APIGatewayProxyResponseEvent tokens = oauth.token(codeExchange(callback.get("code"), verifier));
        assertEquals(200, tokens.getStatusCode(), tokens.getBody());
        assertEquals("no-store", tokens.getHeaders().get("Cache-Control"));
        JsonNode body = json(tokens);
        assertEquals("openid files:read", body.path("scope").asText());
        var claims = SignedJWT.parse(body.path("access_token").asText()).getJWTClaimsSet();
        assertEquals(USER, claims.getSubject());
        assertEquals(clientId, claims.getStringClaim("client_id"));
        assertTrue(json(introspect(body.path("access_token").asText())).path("active").asBoolean());
        assertFalse(body.path("refresh_token").asText().isEmpty());

        // AND the code is stored only under its SHA-256 (computed here, not by the code under test), nowhere in clear
        String code = callback.get("code");
        var storedCode = AtRest.tokenRow(services, "AC#" + AtRest.sha256(code));
        assertFalse(storedCode.isEmpty(), "the code's row is keyed by its SHA-256");
        assertEquals(List.of(), AtRest.attributesContaining(storedCode, code));
        assertTrue(AtRest.tokenRow(services, "AC#" + code).isEmpty());
        // AND so is the refresh token
        String refreshToken = body.path("refresh_token").asText();
        var storedRefresh = AtRest.tokenRow(services, "RT#" + AtRest.sha256(refreshToken));
        assertFalse(storedRefresh.isEmpty(), "the refresh token's row is keyed by its SHA-256");
        assertEquals(List.of(), AtRest.attributesContaining(storedRefresh, refreshToken));
    }

    @Test
    void anExistingConsentSkipsThePageAndPromptConsentBringsItBack() {
        approve("openid files:read");

        APIGatewayProxyResponseEvent again = oauth.authorize(userToken, authorizationQuery("files:read"));
        Map<String, String> withPrompt = new LinkedHashMap<>(authorizationQuery("files:read"));
        withPrompt.put("prompt", "consent");

        assertTrue(redirectParameters(again).containsKey("code"), "no page when the consent covers the scopes");
        assertEquals(200, oauth.authorize(userToken, withPrompt).getStatusCode());
    }

    @Test
    void denyingRedirectsWithAccessDeniedAndRecordsNothing() {
        APIGatewayProxyResponseEvent page = oauth.authorize(userToken, authorizationQuery("openid"));

        Map<String, String> callback = redirectParameters(oauth.decide(userToken, ticketOf(page), "deny"));

        assertEquals("access_denied", callback.get("error"));
        assertEquals("xyz-state", callback.get("state"));
        assertNull(callback.get("code"));
        assertTrue(services.consentStore().find(clientId, USER).isEmpty());
    }

    @Test
    void anUnknownClientOrForeignRedirectUriGetsAnErrorPageNeverARedirect() {
        Map<String, String> foreign = new LinkedHashMap<>(authorizationQuery("openid"));
        foreign.put("redirect_uri", REDIRECT_URI + "/../evil");
        Map<String, String> unknown = new LinkedHashMap<>(authorizationQuery("openid"));
        unknown.put("client_id", UUID.randomUUID().toString());

        for (var query : List.of(foreign, unknown)) {
            APIGatewayProxyResponseEvent response = oauth.authorize(userToken, query);
            assertEquals(400, response.getStatusCode());
            assertNull(response.getHeaders().get("Location"));
            assertTrue(response.getHeaders().get("Content-Type").startsWith("text/html"));
        }
    }

    @Test
    void aPublicClientWithoutPkceIsSentBackWithInvalidRequest() {
        Map<String, String> query = new LinkedHashMap<>(authorizationQuery("openid"));
        query.remove("code_challenge");
        query.remove("code_challenge_method");

        Map<String, String> callback = redirectParameters(oauth.authorize(userToken, query));

        assertEquals("invalid_request", callback.get("error"));
        assertTrue(callback.get("error_description").contains("code_challenge"));
    }

    @Test
    void withoutASignedInUserThePageAsksToSignInAndPromptNoneTellsTheClient() {
        Map<String, String> silent = new LinkedHashMap<>(authorizationQuery("openid"));
        silent.put("prompt", "none");

        Map<String, String> withoutLoginFrontEnd = redirectParameters(oauth.authorize(null, authorizationQuery("openid")));

        assertEquals("login_required", withoutLoginFrontEnd.get("error"));
        assertEquals("xyz-state", withoutLoginFrontEnd.get("state"));
        assertEquals("login_required", redirectParameters(oauth.authorize(null, silent)).get("error"));
    }

    @Test
    void aConsentFormCannotBeReplayedByAnotherUser() {
        String ticket = ticketOf(oauth.authorize(userToken, authorizationQuery("openid")));
        String otherUser = Requests.session(services, "user-99");

        APIGatewayProxyResponseEvent response = oauth.decide(otherUser, ticket, "approve");

        assertEquals(400, response.getStatusCode());
        assertNull(response.getHeaders().get("Location"));
        assertTrue(services.consentStore().find(clientId, "user-99").isEmpty());
    }

    @Test
    void aWrongPkceVerifierIsInvalidGrant() {
        String code = approve("openid");

        APIGatewayProxyResponseEvent response = oauth.token(codeExchange(code, OpaqueTokens.newValue()));

        assertEquals(400, response.getStatusCode());
        assertEquals("invalid_grant", json(response).path("error").asText());
        assertTrue(json(response).path("error_description").asText().contains("PKCE"));
    }

    @Test
    void anExpiredCodeIsInvalidGrant() {
        String code = approve("openid");
        clock.advance(Duration.ofSeconds(61));

        assertEquals("invalid_grant", json(oauth.token(codeExchange(code, verifier))).path("error").asText());
    }

    @Test
    void aCodeUsedTwiceFailsAndRevokesWhatItsFirstUseIssued() {
        String code = approve("openid files:read");
        JsonNode first = json(oauth.token(codeExchange(code, verifier)));

        APIGatewayProxyResponseEvent second = oauth.token(codeExchange(code, verifier));

        assertEquals(400, second.getStatusCode());
        assertEquals("invalid_grant", json(second).path("error").asText());
        assertFalse(json(introspect(first.path("access_token").asText())).path("active").asBoolean());
        assertEquals(400, oauth.token(refresh(first.path("refresh_token").asText())).getStatusCode());
    }

    @Test
    void everyRefreshRotatesAndReusingAnOldRefreshTokenRevokesTheFamily() {
        JsonNode issued = json(oauth.token(codeExchange(approve("openid"), verifier)));
        String firstRefresh = issued.path("refresh_token").asText();

        JsonNode rotated = json(oauth.token(refresh(firstRefresh)));
        String secondRefresh = rotated.path("refresh_token").asText();
        assertNotEquals(firstRefresh, secondRefresh);
        assertTrue(json(introspect(rotated.path("access_token").asText())).path("active").asBoolean());

        assertFalse(json(introspect(firstRefresh)).path("active").asBoolean(), "a used refresh token is inactive");

        APIGatewayProxyResponseEvent replay = oauth.token(refresh(firstRefresh));

        assertEquals("invalid_grant", json(replay).path("error").asText());
        assertFalse(json(introspect(rotated.path("access_token").asText())).path("active").asBoolean());
        assertEquals(400, oauth.token(refresh(secondRefresh)).getStatusCode(), "the family is revoked");
        assertFalse(AtRest.tokenRow(services, "RT#" + AtRest.sha256(secondRefresh)).isEmpty(), "stored by hash");
    }

    @Test
    void aRefreshMayNarrowTheScopesButAWiderRequestKeepsTheRefreshTokenUsable() {
        String refreshToken = json(oauth.token(codeExchange(approve("openid files:read"), verifier)))
                .path("refresh_token").asText();
        Map<String, String> widen = refresh(refreshToken);
        widen.put("scope", "openid files:write");
        Map<String, String> narrow = refresh(refreshToken);
        narrow.put("scope", "files:read");

        assertEquals("invalid_scope", json(oauth.token(widen)).path("error").asText());
        APIGatewayProxyResponseEvent narrowed = oauth.token(narrow);

        assertEquals(200, narrowed.getStatusCode(), narrowed.getBody());
        assertEquals("files:read", json(narrowed).path("scope").asText());
    }

    @Test
    void oneRefreshTokenUsedFromTwoThreadsAtOnceHasExactlyOneWinnerAndThenTheFamilyIsRevoked() throws Exception {
        String refreshToken = json(oauth.token(codeExchange(approve("openid"), verifier))).path("refresh_token").asText();
        CountDownLatch start = new CountDownLatch(1);

        List<Future<APIGatewayProxyResponseEvent>> attempts = List.of(
                threads.submit(() -> { start.await(); return oauth.token(refresh(refreshToken)); }),
                threads.submit(() -> { start.await(); return oauth.token(refresh(refreshToken)); }));
        start.countDown();
        List<Integer> statuses = List.of(attempts.get(0).get().getStatusCode(), attempts.get(1).get().getStatusCode());

        assertEquals(List.of(200, 400), statuses.stream().sorted().toList());
        JsonNode winner = json(attempts.get(statuses.get(0) == 200 ? 0 : 1).get());
        assertFalse(json(introspect(winner.path("access_token").asText())).path("active").asBoolean());
        assertEquals(400, oauth.token(refresh(winner.path("refresh_token").asText())).getStatusCode());
    }

    @Test
    void revokingTheConsentIsVisibleToIntrospectionAtOnce() {
        JsonNode issued = json(oauth.token(codeExchange(approve("openid files:read"), verifier)));
        assertTrue(json(introspect(issued.path("access_token").asText())).path("active").asBoolean());
        JsonNode refreshAnswer = json(introspect(issued.path("refresh_token").asText()));
        assertTrue(refreshAnswer.path("active").asBoolean());
        // a refresh token bound to no key: its type, and no cnf
        assertEquals("refresh_token", refreshAnswer.path("token_type").asText());
        assertFalse(refreshAnswer.has("cnf"), refreshAnswer.toString());

        var revoked = new RevokeClientConsentHandler(services).handleRequest(Requests.request("DELETE",
                "/api/2.0/clients/{clientId}/revoke", "/api/2.0/clients/" + clientId + "/revoke",
                Requests.token(services, USER, List.of("openid")), null), null);

        assertEquals(200, revoked.getStatusCode(), revoked.getBody());
        assertFalse(json(introspect(issued.path("access_token").asText())).path("active").asBoolean());
        assertFalse(json(introspect(issued.path("refresh_token").asText())).path("active").asBoolean());
        assertEquals(400, oauth.token(refresh(issued.path("refresh_token").asText())).getStatusCode());
        assertEquals(200, oauth.authorize(userToken, authorizationQuery("openid")).getStatusCode(),
                "the consent page is shown again");
    }

    @Test
    void introspectionDescribesALiveTokenAndNeedsAuthenticatedClients() throws Exception {
        JsonNode issued = json(oauth.token(codeExchange(approve("openid files:read"), verifier)));

        JsonNode active = json(introspect(issued.path("access_token").asText()));
        var anonymous = new LinkedHashMap<String, String>();
        anonymous.put("token", issued.path("access_token").asText());

        assertEquals(USER, active.path("sub").asText());
        assertEquals(clientId, active.path("client_id").asText());
        assertEquals("openid files:read", active.path("scope").asText());
        assertEquals(TestServices.ISSUER, active.path("iss").asText());
        assertTrue(active.path("exp").asLong() > Instant.now().getEpochSecond());
        assertEquals(SignedJWT.parse(issued.path("access_token").asText()).getJWTClaimsSet().getAudience(),
                Json.MAPPER.convertValue(active.path("aud"), List.class), "aud as the token carries it");
        assertFalse(json(introspect("not-a-token")).path("active").asBoolean());
        assertEquals(401, oauth.introspect(anonymous).getStatusCode());
    }

    @Test
    void aNameHoldingABidiOverrideCannotReorderTheConsentPage() {
        // GIVEN a client whose stored name holds a right-to-left override (registered before input refused them)
        clientId = registerClient("Safe \u202Egnp.exe", clientSecret);

        APIGatewayProxyResponseEvent page = oauth.authorize(userToken, authorizationQuery("openid"));

        // THEN the page shows the name without the control character, isolated from the sentence around it
        assertEquals(200, page.getStatusCode(), page.getBody());
        assertFalse(page.getBody().contains("\u202E"), "no bidi control reaches the page");
        assertTrue(page.getBody().contains("<strong id=\"client-name\"><bdi>Safe gnp.exe</bdi></strong>"), page.getBody());
    }

    @Test
    void aWrongTokenTypeHintDoesNotHideALiveToken() {
        JsonNode issued = json(oauth.token(codeExchange(approve("openid"), verifier)));

        // RFC 7662 §2.1: a token not found under the hint is searched for under the other types
        JsonNode accessAsRefresh = json(oauth.introspect(clientForm("token", issued.path("access_token").asText(),
                "token_type_hint", "refresh_token")));
        JsonNode refreshAsAccess = json(oauth.introspect(clientForm("token", issued.path("refresh_token").asText(),
                "token_type_hint", "access_token")));

        assertTrue(accessAsRefresh.path("active").asBoolean(), accessAsRefresh.toString());
        assertEquals(USER, accessAsRefresh.path("sub").asText());
        assertTrue(refreshAsAccess.path("active").asBoolean(), refreshAsAccess.toString());
    }

    @Test
    void anotherClientLearnsNothingAboutATokenUnlessItIsInItsAudienceOrHoldsTokensAdmin() {
        JsonNode issued = json(oauth.token(codeExchange(approve("openid files:read"), verifier)));
        String accessToken = issued.path("access_token").asText();
        String refreshToken = issued.path("refresh_token").asText();
        var stranger = TestServices.registerClient(services, List.of("openid"));
        var administrator = TestServices.registerClient(services, List.of("tokens:admin"));

        // GIVEN a client that is neither the token's client nor in its audience: the token is inactive to it
        for (String token : List.of(accessToken, refreshToken)) {
            JsonNode seen = json(oauth.introspect(Map.of("client_id", stranger.clientId(),
                    "client_secret", stranger.secret(), "token", token)));
            assertEquals("{\"active\":false}", seen.toString(), "no subject or scope leaks to a stranger");
        }
        // THEN the token's own client and a client holding tokens:admin see it
        assertTrue(json(introspect(accessToken)).path("active").asBoolean());
        for (String token : List.of(accessToken, refreshToken)) {
            JsonNode seen = json(oauth.introspect(Map.of("client_id", administrator.clientId(),
                    "client_secret", administrator.secret(), "token", token)));
            assertTrue(seen.path("active").asBoolean(), seen.toString());
        }
        // AND a resource server named in a token's audience sees that token
        String forResource = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, USER,
                clientId, List.of("openid"), List.of(stranger.clientId()), Duration.ofMinutes(5))).value();
        JsonNode seen = json(oauth.introspect(Map.of("client_id", stranger.clientId(),
                "client_secret", stranger.secret(), "token", forResource)));
        assertTrue(seen.path("active").asBoolean(), seen.toString());
    }

    @Test
    void revokingARefreshTokenRevokesItsFamilyAndRevokingAnAccessTokenOnlyItself() {
        JsonNode first = json(oauth.token(codeExchange(approve("openid"), verifier)));
        userToken = Requests.session(services, USER);
        JsonNode second = json(oauth.token(codeExchange(approve("openid"), verifier)));

        assertEquals(200, oauth.revoke(clientForm("token", first.path("access_token").asText())).getStatusCode());
        assertFalse(json(introspect(first.path("access_token").asText())).path("active").asBoolean());
        assertTrue(json(introspect(first.path("refresh_token").asText())).path("active").asBoolean());

        assertEquals(200, oauth.revoke(clientForm("token", second.path("refresh_token").asText())).getStatusCode());
        assertFalse(json(introspect(second.path("access_token").asText())).path("active").asBoolean());
        assertFalse(json(introspect(second.path("refresh_token").asText())).path("active").asBoolean());
        assertTrue(json(introspect(first.path("refresh_token").asText())).path("active").asBoolean(),
                "each sign-in is a family of its own");
        assertEquals(200, oauth.revoke(clientForm("token", "unknown-token")).getStatusCode(), "RFC 7009 §2.2");
    }

    @Test
    void anotherClientCannotRevokeTokensItWasNotIssued() {
        // GIVEN a user's tokens at this client, and a second confidential client of the same service
        JsonNode issued = json(oauth.token(codeExchange(approve("openid files:read"), verifier)));
        String otherSecret = SecretHasher.newSecret();
        String otherClient = registerClient("Other App", otherSecret);

        // WHEN the other client asks to revoke them, authenticated as itself
        for (String token : List.of(issued.path("access_token").asText(), issued.path("refresh_token").asText())) {
            Map<String, String> foreign = new LinkedHashMap<>();
            foreign.put("client_id", otherClient);
            foreign.put("client_secret", otherSecret);
            foreign.put("token", token);
            // THEN it hears what it would hear for an unknown token (RFC 7009 §2.2), and nothing is revoked
            assertEquals(200, oauth.revoke(foreign).getStatusCode());
        }
        assertTrue(json(introspect(issued.path("access_token").asText())).path("active").asBoolean());
        assertTrue(json(introspect(issued.path("refresh_token").asText())).path("active").asBoolean());
        assertEquals(200, oauth.token(refresh(issued.path("refresh_token").asText())).getStatusCode());
    }

    @Test
    void aRefreshTokenServesOnlyItsClientAndOnlyBeforeItsExpirySecond() {
        // GIVEN a user's refresh token at this client, and another confidential client
        String refreshToken = json(oauth.token(codeExchange(approve("openid"), verifier))).path("refresh_token").asText();
        String otherSecret = SecretHasher.newSecret();
        Map<String, String> byOtherClient = new LinkedHashMap<>();
        byOtherClient.put("grant_type", "refresh_token");
        byOtherClient.put("refresh_token", refreshToken);
        byOtherClient.put("client_id", registerClient("Other App", otherSecret));
        byOtherClient.put("client_secret", otherSecret);

        // WHEN the other client presents it THEN it is invalid_grant, and the token still serves its own client
        APIGatewayProxyResponseEvent stolen = oauth.token(byOtherClient);
        assertEquals(400, stolen.getStatusCode(), stolen.getBody());
        assertEquals("invalid_grant", json(stolen).path("error").asText());
        String rotated = json(oauth.token(refresh(refreshToken))).path("refresh_token").asText();
        assertFalse(rotated.isEmpty());

        // AND the rotated one lives exactly the refresh-token lifetime: active a second before, dead at that second
        clock.advance(services.settings().longestTokenLifetime().minusSeconds(1));
        assertTrue(json(introspect(rotated)).path("active").asBoolean());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(json(introspect(rotated)).path("active").asBoolean());
        APIGatewayProxyResponseEvent expired = oauth.token(refresh(rotated));
        assertEquals(400, expired.getStatusCode(), expired.getBody());
        assertEquals("invalid_grant", json(expired).path("error").asText());
    }

    @Test
    void revocationWithoutValidClientAuthenticationIsRefusedAndRevokesNothing() {
        JsonNode issued = json(oauth.token(codeExchange(approve("openid"), verifier)));
        String accessToken = issued.path("access_token").asText();
        Map<String, String> anonymous = new LinkedHashMap<>();
        anonymous.put("token", accessToken);
        Map<String, String> wrongSecret = clientForm("token", accessToken);
        wrongSecret.put("client_secret", SecretHasher.newSecret());

        APIGatewayProxyResponseEvent withoutClient = oauth.revoke(anonymous);
        APIGatewayProxyResponseEvent withWrongSecret = oauth.revoke(wrongSecret);

        assertEquals(401, withoutClient.getStatusCode(), withoutClient.getBody());
        assertEquals("invalid_client", json(withoutClient).path("error").asText());
        assertEquals(401, withWrongSecret.getStatusCode(), withWrongSecret.getBody());
        assertEquals("invalid_client", json(withWrongSecret).path("error").asText());
        // AND the client, with its own secret, is served at once (its failed attempt forgotten) and finds its token live
        assertEquals(200, oauth.revoke(clientForm("token", "unknown-token")).getStatusCode());
        Map<String, String> wrongIntrospection = clientForm("token", accessToken);
        wrongIntrospection.put("client_secret", SecretHasher.newSecret());
        assertEquals(401, oauth.introspect(wrongIntrospection).getStatusCode());
        assertTrue(json(introspect(accessToken)).path("active").asBoolean());
    }

    @Test
    void aConsentFormIsGoodForTenMinutesAndNoLonger() {
        // GIVEN two consent pages shown to the user
        String onTime = ticketOf(oauth.authorize(userToken, authorizationQuery("openid")));
        String late = ticketOf(oauth.authorize(userToken, authorizationQuery("openid files:read")));

        clock.advance(Duration.ofMinutes(10));
        APIGatewayProxyResponseEvent approvedOnTime = oauth.decide(userToken, onTime, "approve");
        clock.advance(Duration.ofSeconds(1));
        APIGatewayProxyResponseEvent approvedLate = oauth.decide(userToken, late, "approve");

        assertTrue(redirectParameters(approvedOnTime).containsKey("code"));
        assertEquals(400, approvedLate.getStatusCode());
        assertNull(approvedLate.getHeaders().get("Location"));
        assertTrue(approvedLate.getBody().contains("expired"), approvedLate.getBody());
        assertEquals("openid", services.consentStore().find(clientId, USER).orElseThrow().getScopes(),
                "the late approval recorded nothing");
    }

    @Test
    void anEditedOrForgedConsentFormApprovesNothing() {
        String ticket = ticketOf(oauth.authorize(userToken, authorizationQuery("openid")));
        int dot = ticket.indexOf('.');
        String payload = new String(Base64.getUrlDecoder().decode(ticket.substring(0, dot)), StandardCharsets.UTF_8);
        String widened = Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace("\"scope\":[\"openid\"]", "\"scope\":[\"openid\",\"files:write\"]")
                        .getBytes(StandardCharsets.UTF_8));
        assertNotEquals(ticket.substring(0, dot), widened.substring(0, widened.length()), "the scopes were edited");
        String otherTicket = ticketOf(oauth.authorize(userToken, authorizationQuery("files:read")));

        List<String> forgeries = List.of(
                widened + ticket.substring(dot),                                  // scopes widened, old MAC
                ticket.substring(0, dot) + otherTicket.substring(otherTicket.indexOf('.')), // another form's MAC
                ticket.substring(0, dot) + ".",                                    // no MAC
                ticket.substring(0, dot),                                          // no dot at all
                "." + ticket.substring(dot + 1));                                  // MAC alone
        for (String forged : forgeries) {
            APIGatewayProxyResponseEvent response = oauth.decide(userToken, forged, "approve");
            assertEquals(400, response.getStatusCode(), forged);
            assertNull(response.getHeaders().get("Location"), forged);
            assertTrue(response.getBody().contains("not genuine"), response.getBody());
        }
        assertTrue(services.consentStore().find(clientId, USER).isEmpty());
        assertTrue(redirectParameters(oauth.decide(userToken, ticket, "approve")).containsKey("code"),
                "the genuine form still works");
    }

    @Test
    void aConfidentialClientWhoseCodeWasAskedWithPkceMustSendTheVerifierToo() {
        // GIVEN a client that authenticates with its secret, and a code asked with an S256 challenge
        clientId = registerClient("Back Office", clientSecret, List.of("client_secret_basic"), List.of(REDIRECT_URI));
        String code = redirectParameters(oauth.decide(userToken,
                ticketOf(oauth.authorize(userToken, authorizationQuery("openid"))), "approve")).get("code");
        Map<String, String> exchange = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code));

        // WHEN it redeems the code with its secret but without the verifier
        APIGatewayProxyResponseEvent withoutVerifier = oauth.token(exchange, OAuthEndpoints.basic(clientId, clientSecret));

        // THEN the secret does not stand in for the verifier: invalid_grant naming the PKCE check, no tokens
        assertEquals(400, withoutVerifier.getStatusCode(), withoutVerifier.getBody());
        assertEquals("invalid_grant", json(withoutVerifier).path("error").asText());
        assertTrue(json(withoutVerifier).path("error_description").asText().contains("code_verifier"));
        // AND with the verifier the same code still becomes tokens
        exchange.put("code_verifier", verifier);
        assertEquals(200, oauth.token(exchange, OAuthEndpoints.basic(clientId, clientSecret)).getStatusCode());
    }

    @Test
    void aConfidentialClientMayGoWithoutPkceButThenSendsNoVerifierAndAlwaysItsSecret() {
        // GIVEN a client that authenticates only with its secret, one redirect URI, and a code asked without PKCE
        clientId = registerClient("Back Office", clientSecret, List.of("client_secret_basic", "client_secret_post"),
                List.of(REDIRECT_URI));
        Map<String, String> withoutPkce = new LinkedHashMap<>(authorizationQuery("openid"));
        withoutPkce.remove("code_challenge");
        withoutPkce.remove("code_challenge_method");
        String code = redirectParameters(oauth.decide(userToken,
                ticketOf(oauth.authorize(userToken, withoutPkce)), "approve")).get("code");
        Map<String, String> exchange = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code));

        // THEN client_id alone, with or without a verifier, is no authentication
        exchange.put("client_id", clientId);
        assertEquals("invalid_client", json(oauth.token(exchange)).path("error").asText());
        exchange.put("code_verifier", verifier);
        assertEquals("invalid_client", json(oauth.token(exchange)).path("error").asText());
        exchange.remove("client_id");
        // AND a verifier for a code asked without a challenge is refused even with the right secret
        APIGatewayProxyResponseEvent withVerifier = oauth.token(exchange, OAuthEndpoints.basic(clientId, clientSecret));
        assertEquals("invalid_grant", json(withVerifier).path("error").asText());
        assertTrue(json(withVerifier).path("error_description").asText().contains("no code_challenge"));

        // AND with client_secret_basic, no verifier and no redirect_uri (its only one is meant), the code becomes tokens
        exchange.remove("code_verifier");
        APIGatewayProxyResponseEvent tokens = oauth.token(exchange, OAuthEndpoints.basic(clientId, clientSecret));
        assertEquals(200, tokens.getStatusCode(), tokens.getBody());
        assertFalse(json(tokens).path("refresh_token").asText().isEmpty());
    }

    @Test
    void aPublicExchangeNeedsTheVerifierAndAClientWithSeveralRedirectUrisNamesOne() {
        String code = approve("openid");
        Map<String, String> withoutVerifier = codeExchange(code, verifier);
        withoutVerifier.remove("code_verifier");
        Map<String, String> withoutRedirect = codeExchange(code, verifier);
        withoutRedirect.remove("redirect_uri");

        APIGatewayProxyResponseEvent noVerifier = oauth.token(withoutVerifier);
        APIGatewayProxyResponseEvent noRedirect = oauth.token(withoutRedirect);

        assertEquals("invalid_request", json(noVerifier).path("error").asText());
        assertTrue(json(noVerifier).path("error_description").asText().contains("code_verifier"));
        assertEquals("invalid_request", json(noRedirect).path("error").asText());
        assertTrue(json(noRedirect).path("error_description").asText().contains("redirect_uri"));
        // AND another scheme in the Authorization header does not turn the public client's exchange into a secret one
        assertEquals(200, oauth.token(codeExchange(code, verifier), "Bearer " + userToken).getStatusCode(),
                "neither refusal used the code up");
    }

    @Test
    void aCodeIsRedeemedOnlyByItsOwnClientAndAnUnknownCodeIsInvalidGrant() {
        // GIVEN a code issued to the first client, and a second client with the same redirect URI
        String code = approve("openid");
        String firstClient = clientId;
        String secondSecret = SecretHasher.newSecret();
        String secondClient = registerClient("Look-alike", secondSecret);

        // WHEN the second client presents the code, with its own secret and the right verifier
        Map<String, String> stolen = codeExchange(code, verifier);
        stolen.put("client_id", secondClient);
        stolen.put("client_secret", secondSecret);
        APIGatewayProxyResponseEvent refused = oauth.token(stolen);

        // THEN it is invalid_grant (RFC 6749 §4.1.3), and the code still serves its own client
        assertEquals("invalid_grant", json(refused).path("error").asText());
        clientId = firstClient;
        assertEquals(200, oauth.token(codeExchange(code, verifier)).getStatusCode());
        APIGatewayProxyResponseEvent unknown = oauth.token(codeExchange(OpaqueTokens.newValue(), verifier));
        assertEquals(400, unknown.getStatusCode());
        assertEquals("invalid_grant", json(unknown).path("error").asText());
    }

    @Test
    void aClientWithoutRedirectUrisMustNameOneToExchangeACode() {
        clientId = registerClient("No Callback", clientSecret, List.of("client_secret_post"), null);

        APIGatewayProxyResponseEvent response = oauth.token(clientForm("grant_type", "authorization_code",
                "code", OpaqueTokens.newValue()));

        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("invalid_request", json(response).path("error").asText());
        assertTrue(json(response).path("error_description").asText().contains("redirect_uri"));
    }

    @Test
    void aCodeLivesSixtySecondsToTheSecond() {
        String code = approve("openid");
        String another = approve("openid");

        clock.advance(Duration.ofSeconds(59));
        assertEquals(200, oauth.token(codeExchange(code, verifier)).getStatusCode());
        clock.advance(Duration.ofSeconds(1));
        APIGatewayProxyResponseEvent late = oauth.token(codeExchange(another, verifier));
        assertEquals("invalid_grant", json(late).path("error").asText());
        assertTrue(json(late).path("error_description").asText().contains("expired"));
    }

    @Test
    void aConsentRevokedInTheSameMillisecondAsTheCodeWasIssuedCoversTheCode() {
        // GIVEN a code, and the user's consent revoked without the clock moving on
        String code = approve("openid");
        services.tokenRepository().recordRevocation(TokenKeys.subjectAtClientRevocation(clientId, USER),
                clock.millis(), clock.instant().plus(Duration.ofDays(1)).getEpochSecond());

        // THEN a revocation covers everything issued up to and including its instant
        APIGatewayProxyResponseEvent response = oauth.token(codeExchange(code, verifier));
        assertEquals("invalid_grant", json(response).path("error").asText());
        assertTrue(json(response).path("error_description").asText().contains("revoked"));
    }

    @Test
    void pkceValuesMustHaveTheirRfc7636Shape() {
        // GIVEN a challenge that is not a base64url SHA-256 (42 characters)
        Map<String, String> shortChallenge = new LinkedHashMap<>(authorizationQuery("openid"));
        shortChallenge.put("code_challenge", OAuthEndpoints.pkceChallenge(verifier).substring(1));
        Map<String, String> callback = redirectParameters(oauth.authorize(userToken, shortChallenge));
        assertEquals("invalid_request", callback.get("error"));
        assertTrue(callback.get("error_description").contains("code_challenge"), callback.get("error_description"));

        // AND a verifier one character shorter than RFC 7636 allows, even though its challenge was sent
        verifier = "a".repeat(42);
        String code = approve("openid");
        APIGatewayProxyResponseEvent response = oauth.token(codeExchange(code, verifier));
        assertEquals("invalid_grant", json(response).path("error").asText());
        assertTrue(json(response).path("error_description").asText().contains("PKCE"));
    }

    @Test
    void aClientChangedWhileItsConsentPageWasOpenGetsNoCode() {
        // GIVEN three open consent pages, then the client loses the redirect URI, is disabled, or loses a scope
        String lostRedirect = ticketOf(oauth.authorize(userToken, authorizationQuery("openid")));
        String disabled = ticketOf(oauth.authorize(userToken, authorizationQuery("openid")));
        String lostScope = ticketOf(oauth.authorize(userToken, authorizationQuery("openid files:write")));

        changeClient(client -> client.setRedirectUris(List.of("https://app.example.com/other")));
        APIGatewayProxyResponseEvent noRedirect = oauth.decide(userToken, lostRedirect, "approve");
        changeClient(client -> {
            client.setRedirectUris(List.of(REDIRECT_URI));
            client.setEnabled(false);
        });
        Map<String, String> whenDisabled = redirectParameters(oauth.decide(userToken, disabled, "approve"));
        changeClient(client -> {
            client.setEnabled(true);
            client.setScopes(List.of("openid", "files:read"));
        });
        Map<String, String> withoutScope = redirectParameters(oauth.decide(userToken, lostScope, "approve"));

        // THEN an error page where the redirect is no longer the client's, an error redirect otherwise; never a code
        assertEquals(400, noRedirect.getStatusCode());
        assertNull(noRedirect.getHeaders().get("Location"));
        assertTrue(noRedirect.getBody().contains("no longer registered for this redirect"), noRedirect.getBody());
        assertEquals("unauthorized_client", whenDisabled.get("error"));
        assertEquals("invalid_scope", withoutScope.get("error"));
        assertNull(whenDisabled.get("code"));
        assertNull(withoutScope.get("code"));
        assertTrue(services.consentStore().find(clientId, USER).isEmpty(), "no consent recorded");
    }

    @Test
    void aConsentCoversOnlyTheScopesGrantedAndWidensWithEachApproval() {
        // GIVEN the user approved openid at some moment
        approve("openid");
        clock.advance(Duration.ofMinutes(3));

        // WHEN the client asks for more, the page is shown again, and the approval adds to what was granted
        APIGatewayProxyResponseEvent more = oauth.authorize(userToken, authorizationQuery("files:read"));
        assertEquals(200, more.getStatusCode(), "openid alone does not cover files:read");
        redirectParameters(oauth.decide(userToken, ticketOf(more), "approve"));

        // THEN the consent holds both, stamped with the latest approval, and covers either without a page
        var consent = services.consentStore().find(clientId, USER).orElseThrow();
        assertEquals("openid files:read", consent.getScopes());
        assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                Instant.parse(consent.getModifiedAt()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertEquals(302, oauth.authorize(userToken, authorizationQuery("openid files:read")).getStatusCode());
    }

    @Test
    void promptNoneWithoutConsentTellsTheClientConsentRequired() {
        Map<String, String> silent = new LinkedHashMap<>(authorizationQuery("openid"));
        silent.put("prompt", "none");

        APIGatewayProxyResponseEvent response = oauth.authorize(userToken, silent);

        assertTrue(response.getHeaders().get("Location").startsWith(REDIRECT_URI + "?"));
        assertEquals("consent_required", redirectParameters(response).get("error"));
        assertEquals("xyz-state", redirectParameters(response).get("state"));
    }

    @Test
    void requestsThatNameNoUsableClientOrRedirectGetAnErrorPage() {
        Map<String, String> noClient = new LinkedHashMap<>(authorizationQuery("openid"));
        noClient.remove("client_id");
        Map<String, String> noRedirectChosen = new LinkedHashMap<>(authorizationQuery("openid"));
        noRedirectChosen.remove("redirect_uri");
        String machine = registerClient("Machine", clientSecret, List.of("client_secret_basic"), null);
        Map<String, String> machineClient = new LinkedHashMap<>(authorizationQuery("openid"));
        machineClient.put("client_id", machine);

        Map<String, Map<String, String>> expectations = new LinkedHashMap<>();
        expectations.put("names no client", noClient);
        expectations.put("several", noRedirectChosen);
        expectations.put("is not registered", machineClient);
        for (var expected : expectations.entrySet()) {
            APIGatewayProxyResponseEvent page = oauth.authorize(userToken, expected.getValue());
            assertEquals(400, page.getStatusCode(), expected.getKey());
            assertNull(page.getHeaders().get("Location"));
            assertTrue(page.getBody().contains(expected.getKey()), page.getBody());
        }
        // a client_id given twice is shown the problem too (no redirect URI is trusted yet)
        APIGatewayProxyResponseEvent repeated = oauth.authorizeRepeating(userToken, authorizationQuery("openid"),
                "client_id");
        assertEquals(400, repeated.getStatusCode());
        assertTrue(repeated.getBody().contains("repeated"), repeated.getBody());
        // once the redirect URI is trusted, a repeated parameter goes back to the client as invalid_request
        Map<String, String> scopeTwice = redirectParameters(oauth.authorizeRepeating(userToken,
                authorizationQuery("openid"), "scope"));
        assertEquals("invalid_request", scopeTwice.get("error"));
        assertTrue(scopeTwice.get("error_description").contains("scope"));
    }

    @Test
    void aMalformedParameterOnABrowserRouteIsShownOnTheErrorPageNamingItNotAnsweredInJson() {
        Map<String, String> controlInClientId = new LinkedHashMap<>(authorizationQuery("openid"));
        controlInClientId.put("client_id", clientId + "\u0007");
        Map<String, String> oversizeClientId = new LinkedHashMap<>(authorizationQuery("openid"));
        oversizeClientId.put("client_id", "c".repeat(1_000));

        for (var response : List.of(oauth.authorize(userToken, controlInClientId),
                oauth.authorize(userToken, oversizeClientId),
                oauth.logout(userToken, Map.of("client_id", clientId + "\u202E")))) {
            assertEquals(400, response.getStatusCode(), response.getBody());
            assertTrue(response.getHeaders().get("Content-Type").startsWith("text/html"), response.getBody());
            assertNull(response.getHeaders().get("Location"));
            assertTrue(response.getBody().contains("client_id: must"), response.getBody());
        }
    }

    @Test
    void aClientWithOneRedirectUriMayLeaveItOut() {
        clientId = registerClient("Single", clientSecret, List.of("client_secret_post", "none"), List.of(REDIRECT_URI));
        Map<String, String> implied = new LinkedHashMap<>(authorizationQuery("files:read"));
        implied.remove("redirect_uri");
        Map<String, String> openIdImplied = new LinkedHashMap<>(authorizationQuery("openid"));
        openIdImplied.remove("redirect_uri");

        APIGatewayProxyResponseEvent approved = oauth.decide(userToken, ticketOf(oauth.authorize(userToken, implied)),
                "approve");
        APIGatewayProxyResponseEvent openIdRequest = oauth.authorize(userToken, openIdImplied);

        assertTrue(approved.getHeaders().get("Location").startsWith(REDIRECT_URI + "?"));
        // AND not in an OpenID request, where redirect_uri is REQUIRED (Core §3.1.2.1): an error page, no redirect
        assertEquals(400, openIdRequest.getStatusCode());
        assertNull(openIdRequest.getHeaders().get("Location"));
        assertTrue(openIdRequest.getBody().contains("redirect_uri is required"), openIdRequest.getBody());
    }

    @Test
    void nonceAndPromptAreCheckedAtTheirLimits() {
        Map<String, String> longestNonce = new LinkedHashMap<>(authorizationQuery("openid"));
        longestNonce.put("nonce", "n".repeat(512));
        Map<String, String> tooLongNonce = new LinkedHashMap<>(authorizationQuery("openid"));
        tooLongNonce.put("nonce", "n".repeat(513));
        Map<String, String> longestWideNonce = new LinkedHashMap<>(authorizationQuery("openid"));
        // 512 characters as openapi.yaml's maxLength counts them, 1,024 UTF-16 units
        longestWideNonce.put("nonce", "\uD83D\uDE00".repeat(512));
        Map<String, String> noneAndConsent = new LinkedHashMap<>(authorizationQuery("openid"));
        noneAndConsent.put("prompt", "none consent");

        assertEquals(200, oauth.authorize(userToken, longestNonce).getStatusCode());
        assertEquals(200, oauth.authorize(userToken, longestWideNonce).getStatusCode());
        APIGatewayProxyResponseEvent tooLong = oauth.authorize(userToken, tooLongNonce);
        assertTrue(tooLong.getHeaders().get("Location").startsWith(REDIRECT_URI + "?"), "back to the client's own URI");
        assertEquals("invalid_request", redirectParameters(tooLong).get("error"));
        Map<String, String> refused = redirectParameters(oauth.authorize(userToken, noneAndConsent));
        assertEquals("invalid_request", refused.get("error"));
        assertTrue(refused.get("error_description").contains("prompt"));
    }

    @Test
    void maxAgeCountsWholeSecondsSinceTheSignIn() {
        // GIVEN the user signed in (their token's iat) exactly 100 seconds ago
        clock.advance(Duration.ofSeconds(100));
        Map<String, String> justInTime = new LinkedHashMap<>(authorizationQuery("openid"));
        justInTime.put("max_age", "100");
        Map<String, String> tooOld = new LinkedHashMap<>(authorizationQuery("openid"));
        tooOld.put("max_age", "99");

        assertEquals(200, oauth.authorize(userToken, justInTime).getStatusCode(), "a sign-in max_age old is recent enough");
        assertEquals("login_required", redirectParameters(oauth.authorize(userToken, tooOld)).get("error"),
                "an older one needs a new sign-in");
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /** Runs the consent page for the scopes and returns the code it yields. */
    @Test
    void theCodeIsRedeemedOnlyWithTheRedirectUriItWasIssuedFor() {
        // GIVEN a code issued for the callback, the client registered for another URI too
        String code = approve("openid");

        // WHEN it is exchanged naming the client's other registered URI THEN invalid_grant (RFC 6749 §4.1.3)
        APIGatewayProxyResponseEvent other = oauth.token(OAuthEndpoints.publicExchange(clientId, code,
                "https://app.example.com/other", verifier));
        assertEquals(400, other.getStatusCode(), other.getBody());
        assertEquals("invalid_grant", json(other).path("error").asText());
        assertTrue(json(other).path("error_description").asText().contains("redirect_uri"));
        // AND the code is not used up by it
        assertEquals(200, oauth.token(codeExchange(code, verifier)).getStatusCode());
    }

    @Test
    void aGrantTheClientIsNotRegisteredForIsRefusedAtTheTokenEndpoint() {
        // GIVEN tokens and a fresh code of a client registered for the code grant and refresh tokens
        JsonNode issued = json(oauth.token(codeExchange(approve("openid"), verifier)));
        String code = approve("openid");
        assertEquals(400, oauth.token(clientForm("grant_type", "client_credentials")).getStatusCode(),
                "not registered for client_credentials");
        assertEquals("unauthorized_client", json(oauth.token(clientForm("grant_type", "client_credentials")))
                .path("error").asText());

        // WHEN the client is registered for client_credentials only
        changeClient(client -> client.setGrantTypes(List.of("client_credentials")));
        clock.advance(java.time.Duration.ofSeconds(1));

        // THEN neither its code nor its refresh token is redeemed
        assertEquals("unauthorized_client", json(oauth.token(codeExchange(code, verifier))).path("error").asText());
        assertEquals("unauthorized_client", json(oauth.token(refresh(issued.path("refresh_token").asText())))
                .path("error").asText());

        // AND a client registered for the code grant alone gets no refresh token with its access token
        changeClient(client -> client.setGrantTypes(List.of("authorization_code")));
        clock.advance(java.time.Duration.ofSeconds(1));
        JsonNode withoutRefresh = json(oauth.token(codeExchange(approve("openid"), verifier)));
        assertTrue(withoutRefresh.has("access_token"), withoutRefresh.toString());
        assertFalse(withoutRefresh.has("refresh_token"), withoutRefresh.toString());
    }

    @Test
    void aUsedCodeShownAgainAfterItExpiredStillRevokesWhatItGave() {
        // GIVEN a code exchanged for tokens
        String code = approve("openid");
        JsonNode issued = json(oauth.token(codeExchange(code, verifier)));
        assertTrue(json(introspect(issued.path("access_token").asText())).path("active").asBoolean());

        // WHEN it is shown again after its lifetime (a leaked code replayed late)
        clock.advance(java.time.Duration.ofMinutes(2));
        APIGatewayProxyResponseEvent replay = oauth.token(codeExchange(code, verifier));

        // THEN it is refused as used, and the tokens it gave are revoked (RFC 6749 §4.1.2), not merely "expired"
        assertEquals("invalid_grant", json(replay).path("error").asText());
        assertFalse(json(introspect(issued.path("access_token").asText())).path("active").asBoolean());
    }

    @Test
    void theCodeAndTheRefreshTokenAreStoredWithATtlAtTheirExpirySoDynamoDbDeletesThem() {
        // GIVEN a code, and the tokens it bought
        String code = approve("openid files:read");
        String refreshToken = json(oauth.token(codeExchange(code, verifier))).path("refresh_token").asText();

        // THEN each stored row carries DynamoDB's TTL at its own expiry: the scheduled cleanup only removes what TTL
        // left behind, so a row without it would cost a delete of its own
        for (String key : List.of(TokenKeys.authorizationCode(OpaqueTokens.hash(code)),
                TokenKeys.refreshToken(OpaqueTokens.hash(refreshToken)))) {
            var row = services.tokenRepository().find(key).orElseThrow();
            assertEquals(row.getExpiresAt(), row.getTtl(), key);
        }
    }

    private String approve(String scopes) {
        return oauth.approvedCode(userToken, authorizationQuery(scopes));
    }

    private Map<String, String> authorizationQuery(String scopes) {
        return OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, scopes, verifier);
    }

    /** A public client's exchange: client_id and the PKCE verifier, no secret. */
    private Map<String, String> codeExchange(String code, String codeVerifier) {
        return OAuthEndpoints.publicExchange(clientId, code, REDIRECT_URI, codeVerifier);
    }

    private void changeClient(java.util.function.Consumer<ClientItem> change) {
        TestServices.changeClient(services, clientId, change);
    }

    private Map<String, String> refresh(String refreshToken) {
        return clientForm("grant_type", "refresh_token", "refresh_token", refreshToken);
    }

    private Map<String, String> clientForm(String... pairs) {
        return OAuthEndpoints.withClientSecret(clientId, clientSecret, pairs);
    }

    private APIGatewayProxyResponseEvent introspect(String token) {
        return oauth.introspect(clientForm("token", token));
    }

    private String registerClient(String name, String secret) {
        return registerClient(name, secret, List.of("client_secret_post", "none"),
                List.of(REDIRECT_URI, "https://app.example.com/other"));
    }

    private String registerClient(String name, String secret, List<String> authenticationMethods,
            List<String> redirectUris) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, name, secret);
        client.setScopes(List.of("openid", "files:read", "files:write"));
        client.setAuthenticationMethods(authenticationMethods);
        client.setRedirectUris(redirectUris);
        services.clientRepository().create(client);
        return client.getClientId();
    }

}
