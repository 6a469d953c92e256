package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.redirectParameters;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.ticketOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.functions.wellknown.GetJwksHandler;
import dev.tokenservice.functions.wellknown.GetOpenIdConfigurationHandler;
import dev.tokenservice.functions.wellknown.GetServerMetadataHandler;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenID Connect over DynamoDB Local, as a relying party and its user meet it: discovery, ID tokens from the
 * code and refresh grants, userinfo, the authorization request's OpenID parameters, RP-initiated logout, and
 * the client as the pages show it.
 */
class OpenIdConnectTest {

    private static final String REDIRECT_URI = "https://app.example.com/callback";
    private static final String LOGOUT_URI = "https://app.example.com/bye";
    private static final String USER = "user-42";
    private static final String LOGO = "data:image/png;base64,iVBORw0KGgo=";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private String clientId;
    private String clientSecret;
    private String userToken;
    private long signedInAt;
    private String verifier;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock, Map.of("ID_TOKEN_TTL_SECONDS", "600"));
        oauth = new OAuthEndpoints(services);
        clientSecret = SecretHasher.newSecret();
        clientId = registerClient("Photo Printer", clientSecret);
        signedInAt = clock.instant().getEpochSecond();
        userToken = Requests.session(services, USER);
        verifier = OpaqueTokens.newValue();
    }

    @Test
    void discoveryIsTheRfc8414DocumentWithTheOpenIdFields() throws Exception {
        var event = new APIGatewayProxyRequestEvent().withHttpMethod("GET").withHeaders(Map.of("Host", "issuer.test",
                "X-Forwarded-Proto", "https"));

        JsonNode discovery = json(new GetOpenIdConfigurationHandler(services).handleRequest(event, null));
        JsonNode oauthMetadata = json(new GetServerMetadataHandler(services).handleRequest(event, null));

        assertEquals(oauthMetadata, discovery, "both well-known documents come from one source");
        assertEquals(TestServices.ISSUER, discovery.path("issuer").asText());
        assertEquals(TestServices.ISSUER + "/oauth2/userinfo", discovery.path("userinfo_endpoint").asText());
        assertEquals(TestServices.ISSUER + "/oauth2/logout", discovery.path("end_session_endpoint").asText());
        assertEquals("[\"public\"]", discovery.path("subject_types_supported").toString());
        assertEquals("[\"RS256\"]", discovery.path("id_token_signing_alg_values_supported").toString());
        assertEquals("[\"code\"]", discovery.path("response_types_supported").toString());
        assertTrue(discovery.path("scopes_supported").toString().contains("\"openid\""));
        for (String claim : List.of("sub", "auth_time", "nonce", "at_hash", "sid", "azp")) {
            assertTrue(discovery.path("claims_supported").toString().contains("\"" + claim + "\""), claim);
        }
        for (String flag : List.of("request_parameter_supported", "request_uri_parameter_supported",
                "claims_parameter_supported")) {
            assertTrue(discovery.path(flag).isBoolean() && !discovery.path(flag).asBoolean(), flag);
        }
    }

    @Test
    void theCodeBuysAnIdTokenThatVerifiesAgainstTheJwksAndCarriesTheNonce() throws Exception {
        // GIVEN a user who signed in, then waited a little before the client asked with a nonce
        clock.advance(Duration.ofSeconds(30));
        String nonce = "n-0S6_WzA2Mj <&> " + UUID.randomUUID();

        // WHEN the client exchanges the code
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid files:read", nonce))));

        // THEN the ID token is signed by a key of the JWKS and names the user, the client and the sign-in
        SignedJWT idToken = SignedJWT.parse(tokens.path("id_token").asText());
        assertTrue(verifiesAgainstJwks(idToken), "the ID token verifies against the published JWKS");
        JWTClaimsSet claims = idToken.getJWTClaimsSet();
        SignedJWT accessToken = SignedJWT.parse(tokens.path("access_token").asText());
        assertEquals(TestServices.ISSUER, claims.getIssuer());
        assertEquals(USER, claims.getSubject());
        assertEquals(List.of(clientId), claims.getAudience());
        assertEquals(clientId, claims.getStringClaim("azp"));
        assertEquals(nonce, claims.getStringClaim("nonce"), "the nonce comes back exactly as sent");
        assertEquals(signedInAt, claims.getLongClaim("auth_time"), "auth_time is the session token's iat");
        assertEquals(accessToken.getJWTClaimsSet().getStringClaim("sid"), claims.getStringClaim("sid"));
        assertEquals(600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000,
                "ID_TOKEN_TTL_SECONDS");
        assertEquals(leftHalfSha256(tokens.path("access_token").asText()), claims.getStringClaim("at_hash"));
        assertEquals(accessToken.getHeader().getKeyID(), idToken.getHeader().getKeyID());
    }

    @Test
    void aRefreshBuysANewIdTokenForTheSameSignInWithoutNonce() throws Exception {
        JsonNode first = json(oauth.token(codeExchange(approve("openid", "nonce-1"))));
        JWTClaimsSet original = SignedJWT.parse(first.path("id_token").asText()).getJWTClaimsSet();
        clock.advance(Duration.ofMinutes(5));

        JsonNode refreshed = json(oauth.token(clientForm("grant_type", "refresh_token",
                "refresh_token", first.path("refresh_token").asText())));

        SignedJWT idToken = SignedJWT.parse(refreshed.path("id_token").asText());
        JWTClaimsSet claims = idToken.getJWTClaimsSet();
        assertTrue(verifiesAgainstJwks(idToken));
        assertEquals(original.getSubject(), claims.getSubject());
        assertEquals(original.getLongClaim("auth_time"), claims.getLongClaim("auth_time"));
        assertEquals(original.getStringClaim("sid"), claims.getStringClaim("sid"));
        assertNull(claims.getClaim("nonce"), "no nonce on refresh (Core §12.2)");
        assertTrue(claims.getIssueTime().after(original.getIssueTime()));
        assertEquals(leftHalfSha256(refreshed.path("access_token").asText()), claims.getStringClaim("at_hash"));
    }

    @Test
    void noIdTokenWithoutOpenidNorForClientCredentials() {
        JsonNode withoutOpenid = json(oauth.token(codeExchange(approve("files:read", "n"))));
        var machine = TestServices.registerClient(services, List.of("openid"));
        JsonNode clientCredentials = json(oauth.token(Map.of("grant_type", "client_credentials", "scope", "openid",
                "client_id", machine.clientId(), "client_secret", machine.secret())));

        assertTrue(withoutOpenid.path("access_token").isTextual());
        assertTrue(withoutOpenid.path("id_token").isMissingNode());
        assertTrue(clientCredentials.path("access_token").isTextual(), clientCredentials.toString());
        assertTrue(clientCredentials.path("id_token").isMissingNode());
    }

    @Test
    void aSignInOlderThanMaxAgeNeedsANewOneAndPromptNoneTellsTheClient() {
        approve("openid", null);
        clock.advance(Duration.ofSeconds(301));
        Map<String, String> query = authorizationQuery("openid", null);
        query.put("max_age", "300");
        Map<String, String> silent = new LinkedHashMap<>(query);
        silent.put("prompt", "none");
        Map<String, String> generous = new LinkedHashMap<>(query);
        generous.put("max_age", "3600");

        Map<String, String> refused = redirectParameters(oauth.authorize(userToken, query));

        // THEN without a login front end configured, the client hears login_required, saying why
        assertEquals("login_required", refused.get("error"), "no code for a sign-in older than asked");
        assertTrue(refused.get("error_description").contains("max_age"), refused.toString());
        assertEquals("login_required", redirectParameters(oauth.authorize(userToken, silent)).get("error"));
        assertTrue(redirectParameters(oauth.authorize(userToken, generous)).containsKey("code"));
    }

    @Test
    void promptLoginIsNeverSatisfiedByASessionThatExistedBeforeTheRequest() {
        approve("openid", null);
        Map<String, String> query = authorizationQuery("openid", null);
        query.put("prompt", "login");
        clock.advance(Duration.ofSeconds(1));
        String justMinted = Requests.session(services, USER);

        // THEN without a login front end to hand off to, the client hears login_required, even for a session a
        // second old: only a sign-in after the request began counts (the hand-off: SignInBoundaryTest)
        assertEquals("login_required", redirectParameters(oauth.authorize(userToken, query)).get("error"));
        assertEquals("login_required", redirectParameters(oauth.authorize(justMinted, query)).get("error"));
    }

    @Test
    void requestObjectsRequestUrisAndRegistrationAreRefusedByName() {
        for (var refused : Map.of("request", "request_not_supported", "request_uri", "request_uri_not_supported",
                "registration", "registration_not_supported").entrySet()) {
            Map<String, String> query = authorizationQuery("openid", null);
            query.put(refused.getKey(), "eyJhbGciOiJub25lIn0.e30.");

            Map<String, String> callback = redirectParameters(oauth.authorize(userToken, query));

            assertEquals(refused.getValue(), callback.get("error"));
            assertEquals("xyz-state", callback.get("state"));
        }
    }

    @Test
    void anIdTokenHintWithPromptNoneMustNameTheSignedInUser() throws Exception {
        String idToken = json(oauth.token(codeExchange(approve("openid", null)))).path("id_token").asText();
        Map<String, String> silent = authorizationQuery("openid", null);
        silent.put("prompt", "none");
        silent.put("id_token_hint", idToken);
        String otherUser = Requests.token(services, "user-99", List.of("openid"));

        assertTrue(redirectParameters(oauth.authorize(userToken, silent)).containsKey("code"));
        assertEquals("login_required", redirectParameters(oauth.authorize(otherUser, silent)).get("error"));
    }

    @Test
    void userinfoAnswersForAnOpenidTokenByGetAndPostAndNotAfterRevocation() throws Exception {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid files:read", null))));
        String accessToken = tokens.path("access_token").asText();
        JWTClaimsSet idClaims = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet();
        JWTClaimsSet accessClaims = SignedJWT.parse(accessToken).getJWTClaimsSet();

        APIGatewayProxyResponseEvent byGet = oauth.userInfo(accessToken);
        APIGatewayProxyResponseEvent byPost = oauth.userInfoByForm(accessToken);

        assertEquals(200, byGet.getStatusCode(), byGet.getBody());
        JsonNode info = json(byGet);
        assertEquals(idClaims.getSubject(), info.path("sub").asText());
        assertEquals(clientId, info.path("cid").asText());
        assertEquals("openid files:read", info.path("scope").asText());
        assertEquals(TestServices.ISSUER, info.path("iss").asText());
        assertEquals(accessClaims.getJWTID(), info.path("jti").asText());
        assertEquals(accessClaims.getExpirationTime().getTime() / 1000, info.path("exp").asLong());
        assertEquals(accessClaims.getAudience().get(0), info.path("aud").asText());
        assertEquals("no-store", byGet.getHeaders().get("Cache-Control"));
        assertEquals(200, byPost.getStatusCode(), byPost.getBody());
        assertEquals(info, json(byPost));

        // WHEN the client revokes the access token, the next userinfo call is refused
        oauth.revoke(clientForm("token", accessToken));
        APIGatewayProxyResponseEvent revoked = oauth.userInfo(accessToken);
        assertEquals(401, revoked.getStatusCode());
        assertTrue(revoked.getHeaders().get("WWW-Authenticate").startsWith("Bearer error=\"invalid_token\""),
                revoked.getHeaders().toString());
        assertEquals(401, oauth.userInfo(null).getStatusCode());
        assertTrue(oauth.userInfo(null).getHeaders().get("WWW-Authenticate").startsWith("Bearer"));
    }

    @Test
    void withAConfiguredAudienceAnOpenidTokenIsStillMeantForThisServicesUserinfo() throws Exception {
        services = TestServices.create(clock, Map.of("TOKEN_AUDIENCE", "https://api.example.com"));
        oauth = new OAuthEndpoints(services);
        clientId = registerClient("Photo Printer", clientSecret);
        userToken = Requests.session(services, USER);

        String accessToken = json(oauth.token(codeExchange(approve("openid", null)))).path("access_token").asText();

        assertEquals(List.of("https://api.example.com", TestServices.ISSUER),
                SignedJWT.parse(accessToken).getJWTClaimsSet().getAudience());
        APIGatewayProxyResponseEvent info = oauth.userInfo(accessToken);
        assertEquals(200, info.getStatusCode(), info.getBody());
        assertEquals("[\"https://api.example.com\",\"" + TestServices.ISSUER + "\"]", json(info).path("aud").toString());
    }

    @Test
    void userinfoRefusesATokenWithoutOpenidAsInsufficientScope() {
        String accessToken = json(oauth.token(codeExchange(approve("files:read", null)))).path("access_token").asText();

        APIGatewayProxyResponseEvent response = oauth.userInfo(accessToken);

        assertEquals(403, response.getStatusCode());
        assertEquals("insufficient_scope", json(response).path("error").asText());
        assertTrue(response.getHeaders().get("WWW-Authenticate").contains("error=\"insufficient_scope\""));
    }

    @Test
    void logoutWithTheIdTokenEndsItsSessionAndReturnsToTheRegisteredUri() throws Exception {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        userToken = Requests.session(services, USER);
        JsonNode otherSession = json(oauth.token(codeExchange(approve("openid", null))));
        String sid = SignedJWT.parse(tokens.path("id_token").asText()).getJWTClaimsSet().getStringClaim("sid");

        APIGatewayProxyResponseEvent response = oauth.logout(null, Map.of("id_token_hint",
                tokens.path("id_token").asText(), "post_logout_redirect_uri", LOGOUT_URI, "state", "bye-1"));

        // THEN the browser goes back to the registered logout URI with the state
        assertEquals(302, response.getStatusCode(), response.getBody());
        assertEquals(LOGOUT_URI + "?state=bye-1", response.getHeaders().get("Location"));
        // AND every token of that session stops at once: access (userinfo, introspection) and refresh
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
        assertFalse(json(oauth.introspect(clientForm("token", tokens.path("access_token").asText())))
                .path("active").asBoolean());
        assertEquals("invalid_grant", json(oauth.token(clientForm("grant_type", "refresh_token", "refresh_token",
                tokens.path("refresh_token").asText()))).path("error").asText());
        // AND it took one revocation record for the session; the user's other session is untouched
        assertTrue(services.tokenRepository().find(TokenKeys.sessionRevocation(sid)).isPresent());
        assertEquals(200, oauth.userInfo(otherSession.path("access_token").asText()).getStatusCode());
    }

    @Test
    void aRelyingPartyMayPostTheLogoutRequestAsAForm() {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));

        APIGatewayProxyResponseEvent response = oauth.logoutForm(null, Map.of("id_token_hint",
                tokens.path("id_token").asText(), "client_id", clientId, "post_logout_redirect_uri", LOGOUT_URI));

        assertEquals(LOGOUT_URI, response.getHeaders().get("Location"));
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
    }

    @Test
    void aDecisionThatIsNeitherButtonIsRefusedEvenWithoutATicket() {
        // GIVEN a signed-in user with tokens at the client
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        // WHEN a form posts a decision the page never sends (empty, another word, twice), with or without a
        // client, and without the page's ticket (found by schemathesis: `decision=&state=` got the sign-out page)
        for (String form : List.of("decision=&state=", "decision=approve&client_id=" + clientId,
                "decision=logout&decision=logout")) {
            APIGatewayProxyResponseEvent refused = oauth.logoutForm(userToken, form);
            // THEN 400, the error page naming the decision, and nothing ended
            assertEquals(400, refused.getStatusCode(), form);
            assertTrue(refused.getHeaders().get("Content-Type").startsWith("text/html"), form);
            assertTrue(refused.getBody().contains("the decision must be logout or stay"), refused.getBody());
        }
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode(), "nothing ended");
        // AND a decision the page does send, without its ticket, is the logout request it also is: the confirmation
        APIGatewayProxyResponseEvent page = oauth.logoutForm(userToken,
                Map.of("decision", "logout", "client_id", clientId));
        assertEquals(200, page.getStatusCode(), page.getBody());
        assertTrue(ticketOf(page).length() > 0);
    }

    @Test
    void anIdTokenHintForAnotherClientThanClientIdIsRefused() {
        String idToken = json(oauth.token(codeExchange(approve("openid", null)))).path("id_token").asText();
        String otherClient = registerClient("Other App", clientSecret);

        APIGatewayProxyResponseEvent response = oauth.logout(null, Map.of("id_token_hint", idToken,
                "client_id", otherClient, "post_logout_redirect_uri", LOGOUT_URI));

        assertEquals(400, response.getStatusCode());
        assertNull(response.getHeaders().get("Location"));
    }

    @Test
    void choosingToStaySignedInEndsNothing() {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        String ticket = ticketOf(oauth.logout(userToken, Map.of("client_id", clientId)));

        APIGatewayProxyResponseEvent stayed = oauth.logoutForm(userToken, Map.of("ticket", ticket, "decision", "stay"));

        assertEquals(200, stayed.getStatusCode());
        assertTrue(stayed.getBody().contains("You are still signed in"));
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
    }

    @Test
    void logoutToAForeignRedirectUriIsRefusedWithAPageAndEndsNothing() {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        String idToken = tokens.path("id_token").asText();

        for (String foreign : List.of("https://evil.example.com/bye", LOGOUT_URI + "/", REDIRECT_URI)) {
            APIGatewayProxyResponseEvent response = oauth.logout(userToken, Map.of("id_token_hint", idToken,
                    "post_logout_redirect_uri", foreign, "state", "s"));
            assertEquals(400, response.getStatusCode(), foreign);
            assertNull(response.getHeaders().get("Location"), "never an open redirect");
            assertTrue(response.getHeaders().get("Content-Type").startsWith("text/html"));
        }
        APIGatewayProxyResponseEvent withoutClient = oauth.logout(userToken, Map.of("post_logout_redirect_uri",
                LOGOUT_URI));
        assertEquals(400, withoutClient.getStatusCode(), "a logout URI needs a client to be checked against");
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode(), "nothing ended");
    }

    @Test
    void withoutAHintTheSignedInUserConfirmsOnAProtectedPage() {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        Map<String, String> request = Map.of("client_id", clientId, "post_logout_redirect_uri", LOGOUT_URI,
                "state", "s-2");

        APIGatewayProxyResponseEvent page = oauth.logout(userToken, request);

        assertEquals(200, page.getStatusCode(), page.getBody());
        assertEquals("DENY", page.getHeaders().get("X-Frame-Options"));
        String policy = page.getHeaders().get("Content-Security-Policy");
        assertTrue(policy.contains("frame-ancestors 'none'") && policy.contains("form-action 'self' https://app.example.com"),
                policy);
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode(), "nothing ended yet");
        String ticket = ticketOf(page);

        // WHEN another user posts the form, nothing happens
        String otherUser = Requests.session(services, "user-99");
        assertEquals(400, oauth.logoutForm(otherUser, Map.of("ticket", ticket, "decision", "logout")).getStatusCode());
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());

        // WHEN the user confirms, their tokens at the client stop and the browser returns with the state
        APIGatewayProxyResponseEvent confirmed = oauth.logoutForm(userToken, Map.of("ticket", ticket, "decision", "logout"));
        assertEquals(LOGOUT_URI + "?state=s-2", confirmed.getHeaders().get("Location"));
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
        assertEquals(400, oauth.token(clientForm("grant_type", "refresh_token", "refresh_token",
                tokens.path("refresh_token").asText())).getStatusCode());
    }

    @Test
    void thePagesShowTheRegisteredClientWithItsLogoAndNamesRenderedSafely() {
        String hostileId = registerClient("Evil\u202Egnp.exe <b>", clientSecret);
        Map<String, String> query = authorizationQuery("openid", null);
        query.put("client_id", hostileId);

        APIGatewayProxyResponseEvent consent = oauth.authorize(userToken, query);

        for (APIGatewayProxyResponseEvent page : List.of(consent)) {
            String body = page.getBody();
            assertTrue(body.contains("<img id=\"client-logo\" alt=\"\" src=\"" + LOGO + "\">"), body);
            assertTrue(body.contains("href=\"https://app.example.com/terms\""));
            assertTrue(body.contains("href=\"https://app.example.com/privacy\""));
            assertTrue(body.contains("href=\"https://app.example.com\""));
            // a row written before names were checked may hold a bidi override: it is dropped, the rest escaped
            assertTrue(body.contains("<bdi>Evilgnp.exe &lt;b&gt;</bdi>"), "escaped, isolated, override dropped");
            assertFalse(body.contains("<b>"));
            String policy = page.getHeaders().get("Content-Security-Policy");
            assertTrue(policy.contains("img-src data:;") && policy.startsWith("default-src 'none'"), policy);
        }
        assertTrue(oauth.logout(userToken, Map.of("client_id", hostileId)).getBody().contains("id=\"client-logo\""));
    }

    @Test
    void signingOutWithoutNamingAClientEndsTheUsersSessionsEverywhereAndNobodyElses() {
        // GIVEN the user signed in at two clients, and another user at the first
        JsonNode atFirst = json(oauth.token(codeExchange(approve("openid", null))));
        clientId = registerClient("Other App", clientSecret);
        JsonNode atSecond = json(oauth.token(codeExchange(approve("openid", null))));
        String otherUsersToken = Requests.token(services, "user-99", List.of("openid"));

        // WHEN the user confirms a sign-out that names no client
        String ticket = ticketOf(oauth.logout(userToken, Map.of()));
        APIGatewayProxyResponseEvent done = oauth.logoutForm(userToken, Map.of("ticket", ticket, "decision", "logout"));

        // THEN a page says so (there is nowhere to return to), and every session of theirs ended
        assertEquals(200, done.getStatusCode(), done.getBody());
        assertTrue(done.getBody().contains("You are signed out"));
        assertEquals(401, oauth.userInfo(atFirst.path("access_token").asText()).getStatusCode());
        assertEquals(401, oauth.userInfo(atSecond.path("access_token").asText()).getStatusCode());
        assertEquals(200, oauth.userInfo(otherUsersToken).getStatusCode());
    }

    @Test
    void signingOutAtOneClientEndsTheBrowserSessionAndTheUsersTokensThereAndOutlivesEveryTokenItCovers() {
        // GIVEN the user signed in at the first client in an earlier browser session too
        String earlierBrowser = userToken;
        JsonNode atFirstEarlier = json(oauth.token(codeExchange(approve("openid", null))));
        String firstClient = clientId;
        clientId = registerClient("Other App", clientSecret);
        JsonNode atSecondEarlier = json(oauth.token(codeExchange(approve("openid", null))));
        // AND, in this browser session, at both clients
        userToken = Requests.session(services, USER);
        JsonNode atSecond = json(oauth.token(codeExchange(approve("openid", null))));
        clientId = firstClient;
        JsonNode atFirst = json(oauth.token(codeExchange(approve("openid", null))));
        long refreshExpiry = json(oauth.introspect(clientForm("token", atFirst.path("refresh_token").asText())))
                .path("exp").asLong();

        String ticket = ticketOf(oauth.logout(userToken, Map.of("client_id", firstClient)));
        oauth.logoutForm(userToken, Map.of("ticket", ticket, "decision", "logout"));

        // THEN this browser session ends, with everything issued in it (the OP session, OpenID's sid)
        assertEquals(401, oauth.userInfo(atFirst.path("access_token").asText()).getStatusCode());
        assertEquals(401, oauth.userInfo(atSecond.path("access_token").asText()).getStatusCode());
        assertEquals(302, oauth.authorize(userToken, authorizationQuery("openid", null)).getStatusCode());
        assertEquals("login_required", redirectParameters(oauth.authorize(userToken, authorizationQuery("openid", null)))
                .get("error"), "the session cookie no longer signs anybody in");
        // AND the user's tokens at that client from other sessions, but not those at other clients
        assertEquals(401, oauth.userInfo(atFirstEarlier.path("access_token").asText()).getStatusCode());
        assertEquals(200, oauth.userInfo(atSecondEarlier.path("access_token").asText()).getStatusCode());
        assertTrue(oauth.authorize(earlierBrowser, authorizationQuery("openid", null)).getStatusCode() < 400,
                "the other browser session lives on");
        // the record is kept (TTL) at least as long as any token it covers could live
        long keptUntil = services.tokenRepository().find(TokenKeys.subjectAtClientRevocation(firstClient, USER))
                .orElseThrow().getTtl();
        assertTrue(refreshExpiry > clock.instant().getEpochSecond() && keptUntil >= refreshExpiry,
                "kept until " + keptUntil + ", a covered refresh token expires at " + refreshExpiry);
    }

    @Test
    void aSignOutFormIsGoodForTenMinutesToTheSecond() {
        String inTime = ticketOf(oauth.logout(userToken, Map.of("client_id", clientId)));
        String late = ticketOf(oauth.logout(userToken, Map.of("client_id", clientId)));

        clock.advance(Duration.ofSeconds(600));
        assertEquals(200, oauth.logoutForm(userToken, Map.of("ticket", inTime, "decision", "stay")).getStatusCode());
        clock.advance(Duration.ofSeconds(1));
        APIGatewayProxyResponseEvent expired = oauth.logoutForm(userToken, Map.of("ticket", late, "decision", "logout"));
        assertEquals(400, expired.getStatusCode());
        assertTrue(expired.getBody().contains("expired"), expired.getBody());
    }

    @Test
    void aClientRemovedWhileItsSignOutPageWasOpenOrNeverRegisteredEndsNothing() {
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        String ticket = ticketOf(oauth.logout(userToken, Map.of("client_id", clientId)));
        services.tables().of(ClientSchema.TABLE).deleteItem(services.clientRepository().find(clientId).orElseThrow());

        APIGatewayProxyResponseEvent removed = oauth.logoutForm(userToken, Map.of("ticket", ticket, "decision", "logout"));
        APIGatewayProxyResponseEvent unknown = oauth.logout(userToken, Map.of("client_id", UUID.randomUUID().toString()));

        assertEquals(400, removed.getStatusCode());
        assertTrue(removed.getBody().contains("no longer registered"), removed.getBody());
        assertEquals(400, unknown.getStatusCode());
        assertTrue(unknown.getBody().contains("is not registered"), unknown.getBody());
        assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode(), "nothing ended");
    }

    @Test
    void withNobodySignedInAndNoHintThereIsNothingToEndAndTheBrowserGoesBack() {
        APIGatewayProxyResponseEvent page = oauth.logout(null, Map.of("client_id", clientId));
        APIGatewayProxyResponseEvent back = oauth.logout(null, Map.of("client_id", clientId,
                "post_logout_redirect_uri", LOGOUT_URI, "state", "s-3"));

        assertEquals(200, page.getStatusCode(), page.getBody());
        assertTrue(page.getBody().contains("You are signed out"));
        assertEquals(LOGOUT_URI + "?state=s-3", back.getHeaders().get("Location"));
    }

    @Test
    void anIdTokenHintWithoutSidEndsTheUsersSessionsAtItsClient() throws Exception {
        // GIVEN an ID token of this service that names no session (sid), for the user at the client
        JsonNode tokens = json(oauth.token(codeExchange(approve("openid", null))));
        var signer = services.signingKeys().active();
        SignedJWT hint = new SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(signer.algorithm())
                .type(com.nimbusds.jose.JOSEObjectType.JWT).keyID(signer.keyId()).build(),
                new JWTClaimsSet.Builder().issuer(TestServices.ISSUER).subject(USER).audience(clientId)
                        .issueTime(java.util.Date.from(clock.instant()))
                        .expirationTime(java.util.Date.from(clock.instant().plusSeconds(600))).build());
        hint.sign(signer.jwsSigner());

        APIGatewayProxyResponseEvent response = oauth.logout(null, Map.of("id_token_hint", hint.serialize()));

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private boolean verifiesAgainstJwks(JWSObject token) throws Exception {
        String jwks = new GetJwksHandler(services).handleRequest(new APIGatewayProxyRequestEvent(), null).getBody();
        RSAKey key = (RSAKey) JWKSet.parse(jwks).getKeyByKeyId(token.getHeader().getKeyID());
        return key != null && token.verify(new RSASSAVerifier(key.toRSAPublicKey()));
    }

    private static String leftHalfSha256(String value) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
    }

    private String approve(String scopes, String nonce) {
        return oauth.approvedCode(userToken, authorizationQuery(scopes, nonce));
    }

    private Map<String, String> authorizationQuery(String scopes, String nonce) {
        Map<String, String> query = OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, scopes, verifier);
        if (nonce != null) {
            query.put("nonce", nonce);
        }
        return query;
    }

    private Map<String, String> codeExchange(String code) {
        return OAuthEndpoints.publicExchange(clientId, code, REDIRECT_URI, verifier);
    }

    private Map<String, String> clientForm(String... pairs) {
        return OAuthEndpoints.withClientSecret(clientId, clientSecret, pairs);
    }

    @Test
    void thePersonsClaimsOutliveARefresh() {
        // GIVEN a client that may ask for profile, and a person signed in with a name
        TestServices.changeClient(services, clientId, client -> client.setScopes(List.of("openid", "profile", "files:read")));
        clock.advance(java.time.Duration.ofSeconds(1));
        userToken = Requests.session(services, USER, null,
                dev.tokenservice.sessions.UserClaims.fromJson("{\"claims\":{\"name\":\"Ada Lovelace\"}}"));
        JsonNode first = json(oauth.token(codeExchange(approve("openid profile", null))));
        assertEquals("Ada Lovelace", json(oauth.userInfo(first.path("access_token").asText())).path("name").asText());

        // WHEN the client refreshes its tokens
        JsonNode refreshed = json(oauth.token(clientForm("grant_type", "refresh_token", "refresh_token",
                first.path("refresh_token").asText())));

        // THEN the new access token still tells userinfo the person's name (the refresh token kept the claims)
        assertEquals("Ada Lovelace", json(oauth.userInfo(refreshed.path("access_token").asText())).path("name").asText(),
                refreshed.toString());
    }

    private String registerClient(String name, String secret) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, name, secret);
        client.setLogo(LOGO);
        client.setWebsiteUrl("https://app.example.com");
        client.setTermsUrl("https://app.example.com/terms");
        client.setPolicyUrl("https://app.example.com/privacy");
        client.setScopes(List.of("openid", "files:read"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        client.setLogoutRedirectUris(List.of(LOGOUT_URI));
        services.clientRepository().create(client);
        return client.getClientId();
    }

}
