package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.redirectParameters;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.ticketOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The browser-facing flow as a security boundary: only a session minted for a login front end signs a person in
 * at /oauth2/authorize; prompt=login and max_age hand the browser to the front end and accept only a later
 * sign-in; tickets cannot be rewritten; the OpenID scopes serve what the front end told.
 */
class SignInBoundaryTest {

    private static final String REDIRECT_URI = "https://app.example.com/callback";
    private static final String LOGIN_URL = "https://login.example.com/sign-in";
    private static final String USER = "user-42";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private String clientId;
    private String clientSecret;
    private String verifier;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock, Map.of("LOGIN_URL", LOGIN_URL));
        oauth = new OAuthEndpoints(services);
        clientSecret = SecretHasher.newSecret();
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Photo Printer", clientSecret);
        client.setGrantTypes(List.of("authorization_code", "refresh_token", "client_credentials"));
        client.setScopes(List.of("openid", "files:read"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        services.clientRepository().create(client);
        clientId = client.getClientId();
        verifier = OpaqueTokens.newValue();
    }

    @Test
    void theRelyingPartysOwnAccessTokenIsNoSessionInTheCookieOrTheHeader() {
        // GIVEN the user consented to openid, and the client holds the access token it got for them
        String session = Requests.session(services, USER);
        JsonNode tokens = json(oauth.token(codeExchange(approve(session, "openid"))));
        String accessToken = tokens.path("access_token").asText();
        Map<String, String> wider = query("openid files:read");
        wider.put("prompt", "none");

        // WHEN the client presents that token as the user's session, in the cookie or as a Bearer header
        Map<String, String> byCookie = redirectParameters(oauth.authorize(accessToken, wider));
        Map<String, String> byHeader = redirectParameters(oauth.authorizeWithBearer(accessToken, wider));
        APIGatewayProxyResponseEvent consentPost = oauth.decide(accessToken, ticketOf(oauth.authorize(session,
                query("openid files:read"))), "approve");

        // THEN nobody is signed in: no code, no consent recorded for the wider scopes
        assertEquals("login_required", byCookie.get("error"));
        assertTrue(byCookie.get("error_description").contains("not a session"), byCookie.toString());
        assertEquals("login_required", byHeader.get("error"));
        assertEquals(401, consentPost.getStatusCode());
        assertNull(consentPost.getHeaders().get("Location"));
        assertFalse(services.consentStore().covers(clientId, USER, List.of("openid", "files:read")));
    }

    @Test
    void noOtherTokenOfTheServiceIsASessionAndASessionIsNoAccessToken() {
        String session = Requests.session(services, USER);
        JsonNode tokens = json(oauth.token(codeExchange(approve(session, "openid"))));
        String clientCredentials = json(oauth.token(clientForm("grant_type", "client_credentials", "scope", "files:read")))
                .path("access_token").asText();
        String agilicusStyle = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, USER,
                clientId, List.of("openid"), List.of(TestServices.ISSUER), Duration.ofHours(1))).value();
        Map<String, String> silent = query("openid");
        silent.put("prompt", "none");

        for (String notASession : List.of(clientCredentials, tokens.path("id_token").asText(),
                tokens.path("refresh_token").asText(), agilicusStyle)) {
            assertEquals("login_required", redirectParameters(oauth.authorize(notASession, silent)).get("error"),
                    notASession);
        }
        assertTrue(redirectParameters(oauth.authorize(session, silent)).containsKey("code"), "the session itself is one");
        // AND the session opens no API: userinfo refuses it as an access token
        assertEquals(401, oauth.userInfo(session).getStatusCode());
    }

    @Test
    void authTimeIsTheFrontEndsSignInTimeThroughCodesAndRefreshes() throws Exception {
        long signedIn = clock.instant().getEpochSecond() - 120;
        String session = Requests.session(services, USER, signedIn, UserClaims.NONE);
        JsonNode tokens = json(oauth.token(codeExchange(approve(session, "openid"))));
        clock.advance(Duration.ofMinutes(10));

        JsonNode refreshed = json(oauth.token(clientForm("grant_type", "refresh_token", "refresh_token",
                tokens.path("refresh_token").asText())));

        assertEquals(signedIn, claims(tokens.path("id_token").asText()).getLongClaim("auth_time"));
        assertEquals(signedIn, claims(refreshed.path("id_token").asText()).getLongClaim("auth_time"),
                "a refresh does not move the sign-in forward");
    }

    @Test
    void aLineBreakOrQuoteInStateCannotRewriteTheConsentTicket() {
        String victim = Requests.session(services, "victim-7");
        String attacker = Requests.session(services, USER);
        Map<String, String> withBreak = query("openid");
        withBreak.put("state", "x\n" + OAuthEndpoints.pkceChallenge(verifier) + "\nvictim-7\n9999999999\n");
        Map<String, String> withQuotes = query("openid");
        withQuotes.put("state", "x\",\"sub\":\"victim-7\",\"exp\":9999999999,\"x\":\"");

        Map<String, String> refused = redirectParameters(oauth.authorize(attacker, withBreak));
        String ticket = ticketOf(oauth.authorize(attacker, withQuotes));
        APIGatewayProxyResponseEvent postedByVictim = oauth.decide(victim, ticket, "approve");

        assertEquals("invalid_request", refused.get("error"));
        assertNull(refused.get("state"), "a state that is not VSCHAR is not echoed");
        assertEquals(400, postedByVictim.getStatusCode(), "the ticket stays bound to the user it was shown to");
        assertNull(postedByVictim.getHeaders().get("Location"));
        assertFalse(services.consentStore().covers(clientId, "victim-7", List.of("openid")));
    }

    @Test
    void stateIsHeldToABound() {
        Map<String, String> longest = query("openid");
        longest.put("state", "s".repeat(2048));
        Map<String, String> tooLong = query("openid");
        tooLong.put("state", "s".repeat(2049));
        String session = Requests.session(services, USER);

        assertEquals(200, oauth.authorize(session, longest).getStatusCode());
        Map<String, String> refused = redirectParameters(oauth.authorize(session, tooLong));
        assertEquals("invalid_request", refused.get("error"));
        assertNull(refused.get("state"));
        APIGatewayProxyResponseEvent logout = oauth.logout(null, Map.of("client_id", clientId, "state", "s".repeat(300_000)));
        assertEquals(400, logout.getStatusCode());
        assertNull(logout.getHeaders().get("Location"));
    }

    @Test
    void promptNoneWithMaxAgeZeroIsLoginRequiredEvenWithALiveSession() {
        String session = Requests.session(services, USER);
        approve(session, "openid");
        Map<String, String> silent = query("openid");
        silent.put("prompt", "none");
        silent.put("max_age", "0");

        Map<String, String> callback = redirectParameters(oauth.authorize(session, silent));

        assertEquals("login_required", callback.get("error"));
        assertNull(callback.get("code"));
    }

    @Test
    void promptLoginHandsOffToTheFrontEndAndOnlyALaterSignInComesBackWithACode() throws Exception {
        String oldSession = Requests.session(services, USER);
        approve(oldSession, "openid");
        clock.advance(Duration.ofSeconds(1));
        Map<String, String> fresh = query("openid");
        fresh.put("prompt", "login");
        fresh.put("login_hint", "ada@example.com");

        // WHEN the request asks for a new sign-in while a one-second-old session exists
        APIGatewayProxyResponseEvent handOff = oauth.authorize(oldSession, fresh);

        // THEN the browser goes to the login front end with a signed link back and the client's hints
        assertEquals(302, handOff.getStatusCode());
        String location = handOff.getHeaders().get("Location");
        assertTrue(location.startsWith(LOGIN_URL + "?return_to="), location);
        Map<String, String> handed = parameters(location);
        assertEquals("login", handed.get("prompt"));
        assertEquals("ada@example.com", handed.get("login_hint"));
        String back = handed.get("return_to");
        assertTrue(back.startsWith(TestServices.ISSUER + "/oauth2/authorize?resume="), back);
        // AND coming back with the old session gives the client login_required, not a loop or a code
        assertEquals("login_required", redirectParameters(oauth.follow(oldSession, back)).get("error"));
        // AND a sign-in made after the request began gives a code whose ID token says so
        clock.advance(Duration.ofSeconds(30));
        String newSession = Requests.session(services, USER);
        String code = redirectParameters(oauth.follow(newSession, back)).get("code");
        assertEquals(clock.instant().getEpochSecond(),
                claims(json(oauth.token(codeExchange(code))).path("id_token").asText()).getLongClaim("auth_time"));
        // AND an edited link is refused
        APIGatewayProxyResponseEvent edited = oauth.follow(newSession, back.replace("resume=", "resume=x"));
        assertEquals(400, edited.getStatusCode());
        clock.advance(Duration.ofMinutes(16));
        assertEquals(400, oauth.follow(newSession, back).getStatusCode(), "the link expires");
    }

    @Test
    void maxAgeCountsFromWhenTheRequestBeganAndNobodySignedInIsHandedOff() {
        String session = Requests.session(services, USER);
        approve(session, "openid");
        clock.advance(Duration.ofSeconds(301));
        Map<String, String> query = query("openid");
        query.put("max_age", "300");

        String back = parameters(oauth.authorize(session, query).getHeaders().get("Location")).get("return_to");
        clock.advance(Duration.ofMinutes(5));
        String signedInMeanwhile = Requests.session(services, USER);

        assertTrue(redirectParameters(oauth.follow(signedInMeanwhile, back)).containsKey("code"),
                "a sign-in during the hand-off is within max_age of the request's start");
        assertTrue(oauth.authorize(null, query("openid")).getHeaders().get("Location").startsWith(LOGIN_URL));
    }

    @Test
    void selectAccountIsHandedToTheFrontEnd() {
        String session = Requests.session(services, USER);
        approve(session, "openid");
        Map<String, String> query = query("openid");
        query.put("prompt", "select_account");

        Map<String, String> handed = parameters(oauth.authorize(session, query).getHeaders().get("Location"));
        clock.advance(Duration.ofSeconds(5));

        assertEquals("select_account", handed.get("prompt"));
        assertTrue(redirectParameters(oauth.follow(Requests.session(services, USER), handed.get("return_to")))
                .containsKey("code"), "an account chosen after the request began");
    }

    @Test
    void anAuthorizationRequestMayBePostedAsAForm() {
        String session = Requests.session(services, USER);
        approve(session, "openid");

        Map<String, String> callback = redirectParameters(oauth.authorizeByForm(session, query("openid")));

        assertTrue(callback.containsKey("code"), callback.toString());
        assertEquals("xyz-state", callback.get("state"));
    }

    @Test
    void openIdScopesServeWhatTheFrontEndToldAndOnlyWhatTheyRelease() throws Exception {
        var given = Json.object().put("name", "Ada Lovelace").put("email", "ada@example.com")
                .put("email_verified", true).put("phone_number", "+44 20 7946 0000");
        var body = Json.object().put("sub", USER);
        body.putArray("amr").add("pwd").add("otp");
        body.set("claims", given);
        UserClaims claims = UserClaims.parse(dev.tokenservice.http.JsonBody.parse(new dev.tokenservice.http.ApiRequest(
                new com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent()
                        .withHeaders(Map.of("Content-Type", "application/json")).withBody(body.toString()))));
        String session = Requests.session(services, USER, null, claims);

        JsonNode tokens = json(oauth.token(codeExchange(approve(session, "openid profile email"))));
        JsonNode info = json(oauth.userInfo(tokens.path("access_token").asText()));
        JWTClaimsSet idToken = claims(tokens.path("id_token").asText());
        JsonNode onlyOpenId = json(oauth.token(codeExchange(approve(session, "openid"))));

        assertEquals("Ada Lovelace", info.path("name").asText());
        assertEquals("ada@example.com", info.path("email").asText());
        assertTrue(info.path("email_verified").asBoolean());
        assertTrue(info.path("phone_number").isMissingNode(), "phone was not asked for");
        assertEquals("Ada Lovelace", idToken.getStringClaim("name"));
        assertEquals(List.of("pwd", "otp"), idToken.getStringListClaim("amr"));
        JsonNode bare = json(oauth.userInfo(onlyOpenId.path("access_token").asText()));
        assertTrue(bare.path("name").isMissingNode() && bare.path("email").isMissingNode(), bare.toString());
        assertNull(claims(onlyOpenId.path("id_token").asText()).getClaim("email"));
    }

    @Test
    void theSessionsRouteMintsOnlyForAFrontEndAndNamesBadFields() throws Exception {
        var handler = new CreateSessionHandler(services);
        String frontEnd = Requests.token(services, "front-end", List.of(ServiceScopes.SESSIONS_CREATE));
        String other = Requests.token(services, "someone", List.of(ServiceScopes.TOKENS_ADMIN));

        APIGatewayProxyResponseEvent minted = handler.handleRequest(Requests.request("POST", "/oauth2/sessions",
                "/oauth2/sessions", frontEnd, "{\"sub\":\"" + USER + "\",\"claims\":{\"name\":\"Ada\"}}"), null);
        APIGatewayProxyResponseEvent forbidden = handler.handleRequest(Requests.request("POST", "/oauth2/sessions",
                "/oauth2/sessions", other, "{\"sub\":\"" + USER + "\"}"), null);
        APIGatewayProxyResponseEvent unknownClaim = handler.handleRequest(Requests.request("POST", "/oauth2/sessions",
                "/oauth2/sessions", frontEnd, "{\"sub\":\"" + USER + "\",\"claims\":{\"role\":\"admin\"}}"), null);
        APIGatewayProxyResponseEvent future = handler.handleRequest(Requests.request("POST", "/oauth2/sessions",
                "/oauth2/sessions", frontEnd, "{\"sub\":\"" + USER + "\",\"auth_time\":"
                        + (clock.instant().getEpochSecond() + 3600) + "}"), null);

        assertEquals(201, minted.getStatusCode(), minted.getBody());
        assertEquals("no-store", minted.getHeaders().get("Cache-Control"));
        String session = json(minted).path("session").asText();
        assertEquals("session+jwt", SignedJWT.parse(session).getHeader().getType().getType());
        assertEquals(200, oauth.authorize(session, query("openid")).getStatusCode(), "it signs the person in");
        assertEquals(403, forbidden.getStatusCode());
        assertEquals(400, unknownClaim.getStatusCode());
        assertTrue(json(unknownClaim).path("error_description").asText().contains("claims.role"));
        assertEquals(400, future.getStatusCode());
        assertTrue(json(future).path("error_description").asText().startsWith("auth_time"));
    }

    @Test
    void loggingOutEndsTheSessionCookieAndEveryTokenIssuedInIt() {
        String session = Requests.session(services, USER);
        JsonNode tokens = json(oauth.token(codeExchange(approve(session, "openid"))));

        oauth.logout(null, Map.of("id_token_hint", tokens.path("id_token").asText()));

        Map<String, String> after = redirectParameters(oauth.authorize(session, query("openid")));
        assertTrue(after.get("error_description") == null || !after.containsKey("code"), after.toString());
        assertTrue(oauth.authorize(session, query("openid")).getHeaders().get("Location").startsWith(LOGIN_URL),
                "the ended session signs nobody in");
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
    }

    @Test
    void anInvalidHintWithNobodySignedInSaysNothingWasSignedOut() {
        APIGatewayProxyResponseEvent page = oauth.logout(null, Map.of("id_token_hint", "not-an-id-token"));

        assertEquals(400, page.getStatusCode());
        assertTrue(page.getBody().contains("nothing was signed out"), page.getBody());
    }

    @Test
    void userinfoRefusesATokenSentInBothHeaderAndForm() {
        String session = Requests.session(services, USER);
        String accessToken = json(oauth.token(codeExchange(approve(session, "openid")))).path("access_token").asText();

        APIGatewayProxyResponseEvent both = oauth.userInfoByFormAndHeader(accessToken);

        assertEquals(400, both.getStatusCode(), both.getBody());
        assertEquals("invalid_request", json(both).path("error").asText());
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private String approve(String session, String scopes) {
        return oauth.approvedCode(session, query(scopes));
    }

    private Map<String, String> query(String scopes) {
        return OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, scopes, verifier);
    }

    private Map<String, String> codeExchange(String code) {
        return clientForm("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT_URI,
                "code_verifier", verifier);
    }

    private Map<String, String> clientForm(String... pairs) {
        return OAuthEndpoints.withClientSecret(clientId, clientSecret, pairs);
    }

    private static JWTClaimsSet claims(String jwt) throws Exception {
        return SignedJWT.parse(jwt).getJWTClaimsSet();
    }

    private static Map<String, String> parameters(String url) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }
}
