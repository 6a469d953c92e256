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
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.functions.wellknown.GetJwksHandler;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exact-match and allow-list rules of the browser and token endpoints, each held by what a user or a client
 * would notice: an error page instead of a redirect, an error sent back to the client instead of a code, a token
 * refused. Every near miss of a registered value (case, a trailing slash, a query, another percent-encoding) is
 * a different value; only the registered one passes.
 */
class ExactMatchRulesTest {

    // The registered URIs hold a `~`, so that its percent-encoded spelling (%7E) is a variant to refuse too
    private static final String REDIRECT_URI = "https://app.example.com/cb/~photos";
    private static final String LOGOUT_URI = "https://app.example.com/bye/~photos";
    private static final String USER = "user-42";
    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private String clientId;
    private String clientSecret;
    private String userToken;
    private String verifier;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock, Map.of("ID_TOKEN_TTL_SECONDS", "600"));
        oauth = new OAuthEndpoints(services);
        clientSecret = SecretHasher.newSecret();
        clientId = registerClient(List.of("client_secret_post", "none"));
        userToken = signedInUser(USER);
        verifier = OpaqueTokens.newValue();
    }

    // --- redirect_uri at /oauth2/authorize ----------------------------------------------------------------

    @Test
    void onlyTheRegisteredRedirectUriItselfIsRedirectedTo() {
        // GIVEN the registered redirect URI: the consent page, and after approval a code sent there
        APIGatewayProxyResponseEvent page = oauth.authorize(userToken, authorizationQuery(REDIRECT_URI));
        assertEquals(200, page.getStatusCode(), page.getBody());
        APIGatewayProxyResponseEvent approved = oauth.decide(userToken, ticketOf(page), "approve");
        assertTrue(approved.getHeaders().get("Location").startsWith(REDIRECT_URI + "?code="),
                approved.getHeaders().get("Location"));

        // WHEN the same client names a URI that differs from it in any way, the user consented already
        for (String variant : variantsOf(REDIRECT_URI)) {
            APIGatewayProxyResponseEvent response = oauth.authorize(userToken, authorizationQuery(variant));

            // THEN an error page, never a redirect (nor a code) to that URI
            assertErrorPageWithoutRedirect(response, variant);
            assertTrue(response.getBody().contains("redirect_uri"), variant + ": " + response.getBody());
        }
    }

    // --- post_logout_redirect_uri at /oauth2/logout -------------------------------------------------------

    @Test
    void onlyTheRegisteredLogoutUriItselfIsRedirectedTo() {
        // GIVEN the registered logout URI: nobody signed in, so the browser goes straight back there
        APIGatewayProxyResponseEvent back = oauth.logout(null, Map.of("client_id", clientId,
                "post_logout_redirect_uri", LOGOUT_URI, "state", "s-1"));
        assertEquals(302, back.getStatusCode(), back.getBody());
        assertEquals(LOGOUT_URI + "?state=s-1", back.getHeaders().get("Location"));

        // WHEN the client names a URI that differs from it in any way
        for (String variant : variantsOf(LOGOUT_URI)) {
            APIGatewayProxyResponseEvent response = oauth.logout(null, Map.of("client_id", clientId,
                    "post_logout_redirect_uri", variant, "state", "s-1"));

            // THEN an error page, never a redirect to it
            assertErrorPageWithoutRedirect(response, variant);
            assertTrue(response.getBody().contains("post_logout_redirect_uri"), variant + ": " + response.getBody());
        }
    }

    // --- PKCE -----------------------------------------------------------------------------------------------

    @Test
    void onlyTheS256ChallengeMethodIsAcceptedAndAnAbsentOneMeansPlain() {
        String challenge = OAuthEndpoints.pkceChallenge(verifier);
        // GIVEN plain with the verifier itself as the challenge (43 characters, so it has a challenge's shape),
        // plain with an S256 challenge, S256 spelled in lower case, and a challenge without a method (RFC 7636
        // §4.3: absent means plain)
        Map<String, String> plainVerifier = authorizationQuery(REDIRECT_URI);
        plainVerifier.put("code_challenge", "a".repeat(43));
        plainVerifier.put("code_challenge_method", "plain");
        Map<String, String> plainChallenge = authorizationQuery(REDIRECT_URI);
        plainChallenge.put("code_challenge_method", "plain");
        Map<String, String> lowerCase = authorizationQuery(REDIRECT_URI);
        lowerCase.put("code_challenge_method", "s256");
        Map<String, String> absent = authorizationQuery(REDIRECT_URI);
        absent.remove("code_challenge_method");
        assertEquals(challenge, absent.get("code_challenge"));

        for (var query : List.of(plainVerifier, plainChallenge, lowerCase, absent)) {
            APIGatewayProxyResponseEvent response = oauth.authorize(userToken, query);

            // THEN the client hears invalid_request at its own URI: no consent page, no code
            Map<String, String> callback = redirectParameters(response);
            assertTrue(response.getHeaders().get("Location").startsWith(REDIRECT_URI + "?"));
            assertEquals("invalid_request", callback.get("error"), query.toString());
            assertTrue(callback.get("error_description").contains("code_challenge_method"), callback.toString());
            assertNull(callback.get("code"));
        }
        // AND S256 itself is accepted
        assertEquals(200, oauth.authorize(userToken, authorizationQuery(REDIRECT_URI)).getStatusCode());
    }

    @Test
    void theChallengeIsComparedByteForByteNotIgnoringCase() {
        // GIVEN a code whose challenge was sent with its letters' case swapped
        Map<String, String> query = authorizationQuery(REDIRECT_URI);
        String swapped = swapCase(OAuthEndpoints.pkceChallenge(verifier));
        assertNotEquals(OAuthEndpoints.pkceChallenge(verifier), swapped);
        query.put("code_challenge", swapped);
        String code = approve(query);

        // WHEN the client redeems it with the verifier whose exact challenge differs from it only in case
        APIGatewayProxyResponseEvent response = oauth.token(codeExchange(code, verifier));

        // THEN invalid_grant: the challenge is not the verifier's
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("invalid_grant", json(response).path("error").asText());
        assertTrue(json(response).path("error_description").asText().contains("PKCE"));
    }

    @Test
    void aVerifierDifferingOnlyInCaseFails() {
        // GIVEN a code for the verifier's challenge
        String code = approve(authorizationQuery(REDIRECT_URI));
        String otherCase = swapCase(verifier);
        assertNotEquals(verifier, otherCase);

        // WHEN the client presents the verifier with its letters' case swapped
        APIGatewayProxyResponseEvent response = oauth.token(codeExchange(code, otherCase));

        // THEN invalid_grant
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("invalid_grant", json(response).path("error").asText());
    }

    @Test
    void aVerifierHas43To128UnreservedCharacters() {
        // GIVEN verifiers at and just past RFC 7636 §4.1's bounds, each sent with its own S256 challenge
        for (int length : List.of(42, 43, 128, 129)) {
            verifier = randomVerifier(length);
            String code = approve(authorizationQuery(REDIRECT_URI));

            // WHEN the client redeems the code with it
            APIGatewayProxyResponseEvent response = oauth.token(codeExchange(code, verifier));

            // THEN 43 and 128 characters buy tokens; 42 and 129 are invalid_grant
            if (length == 43 || length == 128) {
                assertEquals(200, response.getStatusCode(), length + ": " + response.getBody());
                assertFalse(json(response).path("access_token").asText().isEmpty());
            } else {
                assertEquals(400, response.getStatusCode(), length + ": " + response.getBody());
                assertEquals("invalid_grant", json(response).path("error").asText());
            }
        }
    }

    // --- scope and response_type allow-lists ------------------------------------------------------------

    @Test
    void aScopeTheClientIsNotRegisteredForIsInvalidScope() {
        for (String scopes : List.of("files:write", "openid files:write", "OPENID", "files:read ")) {
            Map<String, String> query = authorizationQuery(REDIRECT_URI);
            query.put("scope", scopes);

            APIGatewayProxyResponseEvent response = oauth.authorize(userToken, query);

            if (scopes.equals("files:read ")) {
                // a trailing space separates nothing: files:read alone, which is registered
                assertEquals(200, response.getStatusCode(), response.getBody());
            } else {
                Map<String, String> callback = redirectParameters(response);
                assertEquals("invalid_scope", callback.get("error"), scopes);
                assertNull(callback.get("code"));
            }
        }
    }

    @Test
    void onlyResponseTypeCodeIsServed() {
        for (String responseType : List.of("token", "id_token", "code token", "code id_token", "id_token code",
                "CODE", "code ")) {
            Map<String, String> query = authorizationQuery(REDIRECT_URI);
            query.put("response_type", responseType);

            Map<String, String> callback = redirectParameters(oauth.authorize(userToken, query));

            assertEquals("unsupported_response_type", callback.get("error"), responseType);
            assertNull(callback.get("code"));
            assertNull(callback.get("access_token"));
        }
    }

    // --- token_endpoint_auth_method ---------------------------------------------------------------------

    @Test
    void aClientNotRegisteredForNoneCannotRedeemACodeWithoutItsSecret() {
        // GIVEN a client registered for client_secret_post only (the registry's allow_pkce=false), and a code
        clientId = registerClient(List.of("client_secret_post"));
        String code = approve(authorizationQuery(REDIRECT_URI));

        // WHEN it redeems the code as a public client would: client_id and the verifier, no secret
        APIGatewayProxyResponseEvent publicly = oauth.token(codeExchange(code, verifier));

        // THEN 401 invalid_client; with its secret the same code buys tokens
        assertEquals(401, publicly.getStatusCode(), publicly.getBody());
        assertEquals("invalid_client", json(publicly).path("error").asText());
        Map<String, String> withSecret = codeExchange(code, verifier);
        withSecret.put("client_secret", clientSecret);
        assertEquals(200, oauth.token(withSecret).getStatusCode());
    }

    // --- the algorithm allow-list of every JWT the service accepts ---------------------------------------

    @Test
    void anAccessTokenIsAcceptedOnlyWhenSignedByOurKeyWithItsAlgorithm() throws Exception {
        // GIVEN a genuine access token, which userinfo answers for
        String accessToken = Requests.token(services, USER, List.of("openid"));
        SignedJWT genuine = SignedJWT.parse(accessToken);
        assertEquals(200, oauth.userInfo(accessToken).getStatusCode());

        // WHEN the same claims come unsigned, HMAC-signed with our public key as the secret, or signed by another
        // RSA key under our kid
        for (var forged : forgeriesOf(genuine, TokenType.AT_JWT).entrySet()) {
            APIGatewayProxyResponseEvent response = oauth.userInfo(forged.getValue());

            // THEN 401 invalid_token
            assertEquals(401, response.getStatusCode(), forged.getKey() + ": " + response.getBody());
            assertTrue(response.getHeaders().get("WWW-Authenticate").contains("invalid_token"), forged.getKey());
        }
    }

    @Test
    void aForgedIdTokenHintEndsNoSessionAtLogout() throws Exception {
        // GIVEN a session at the client and its genuine ID token
        JsonNode tokens = json(oauth.token(codeExchange(approve(authorizationQuery(REDIRECT_URI)), verifier)));
        SignedJWT idToken = SignedJWT.parse(tokens.path("id_token").asText());

        // WHEN the signed-in user arrives with a forged hint: an error page that says nothing was signed out, no
        // redirect, and nothing ends
        for (var forged : forgeriesOf(idToken, TokenType.JWT).entrySet()) {
            APIGatewayProxyResponseEvent response = oauth.logout(userToken, Map.of("id_token_hint", forged.getValue(),
                    "client_id", clientId, "post_logout_redirect_uri", LOGOUT_URI));

            assertEquals(400, response.getStatusCode(), forged.getKey() + ": " + response.getBody());
            assertTrue(response.getBody().contains("nothing was signed out"), forged.getKey());
            assertNull(response.getHeaders().get("Location"), forged.getKey());
            assertEquals(200, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode(), forged.getKey());
        }

        // AND the genuine hint ends the session at once and sends the browser back
        APIGatewayProxyResponseEvent genuine = oauth.logout(userToken, Map.of("id_token_hint", idToken.serialize(),
                "client_id", clientId, "post_logout_redirect_uri", LOGOUT_URI));
        assertEquals(LOGOUT_URI, genuine.getHeaders().get("Location"));
        assertEquals(401, oauth.userInfo(tokens.path("access_token").asText()).getStatusCode());
    }

    @Test
    void aForgedIdTokenHintNeverPassesASilentAuthorization() throws Exception {
        // GIVEN a consent and a genuine ID token of the signed-in user, which a silent request may name
        JsonNode tokens = json(oauth.token(codeExchange(approve(authorizationQuery(REDIRECT_URI)), verifier)));
        SignedJWT idToken = SignedJWT.parse(tokens.path("id_token").asText());
        Map<String, String> silent = authorizationQuery(REDIRECT_URI);
        silent.put("prompt", "none");
        silent.put("id_token_hint", idToken.serialize());
        assertTrue(redirectParameters(oauth.authorize(userToken, silent)).containsKey("code"));

        // WHEN the hint is forged: THEN login_required, no code
        for (var forged : forgeriesOf(idToken, TokenType.JWT).entrySet()) {
            silent.put("id_token_hint", forged.getValue());

            Map<String, String> callback = redirectParameters(oauth.authorize(userToken, silent));

            assertEquals("login_required", callback.get("error"), forged.getKey());
            assertNull(callback.get("code"), forged.getKey());
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /**
     * The signed-in user's browser credential, as the asc_auth_key cookie carries it. The only place the tests of
     * this class sign a user in.
     */
    private String signedInUser(String subject) {
        return Requests.session(services, subject);
    }

    /** The near misses of a registered URI: each is another URI, though a lenient comparison might take it. */
    private static List<String> variantsOf(String registered) {
        String path = registered.substring("https://app.example.com".length());
        return List.of(
                "https://APP.EXAMPLE.COM" + path,
                "HTTPS://app.example.com" + path,
                "https://app.example.com" + path.toUpperCase(),
                "https://app.example.com" + path.replace("photos", "Photos"),
                registered + "/",
                registered + "?next=%2F",
                registered + "#top",
                "https://app.example.com:443" + path,
                "https://app.example.com" + path.replace("~", "%7E"),
                "https://app.example.com" + path.replace("~", "%7e"),
                "https://app.example.com" + path.replaceFirst("/", "%2F"),
                "https://app.example.com" + path.replaceFirst("/", "//"),
                registered.substring(0, registered.length() - 1),
                registered + "s",
                " " + registered);
    }

    private static void assertErrorPageWithoutRedirect(APIGatewayProxyResponseEvent response, String label) {
        assertEquals(400, response.getStatusCode(), label + ": " + response.getBody());
        assertNull(response.getHeaders().get("Location"), label + ": never a redirect");
        assertTrue(response.getHeaders().get("Content-Type").startsWith("text/html"), label);
    }

    private enum TokenType {
        AT_JWT(new JOSEObjectType("at+jwt")), JWT(JOSEObjectType.JWT);

        final JOSEObjectType type;

        TokenType(JOSEObjectType type) {
            this.type = type;
        }
    }

    /**
     * A genuine token's claims, under our kid, as an attacker without our private key could present them: unsigned
     * (alg none), HS256 with our published public key as the HMAC secret (its DER and its JWK text, the classic
     * algorithm confusion), and RS256 signed by another RSA key.
     */
    private Map<String, String> forgeriesOf(SignedJWT genuine, TokenType type) throws Exception {
        String kid = genuine.getHeader().getKeyID();
        RSAKey ours = ourPublicKey(kid);
        Base64URL payload = genuine.getPayload().toBase64URL();
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("alg none", Base64URL.encode("{\"alg\":\"none\",\"typ\":\"" + type.type + "\",\"kid\":\"" + kid
                + "\"}") + "." + payload + ".");
        forged.put("HS256 keyed by the public key's DER", hmacSigned(genuine, type, kid,
                ours.toRSAPublicKey().getEncoded()));
        forged.put("HS256 keyed by the public JWK", hmacSigned(genuine, type, kid,
                ours.toJSONString().getBytes(StandardCharsets.UTF_8)));
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(kid).generate();
        SignedJWT other = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(type.type).keyID(kid).build(),
                genuine.getJWTClaimsSet());
        other.sign(new RSASSASigner(stranger));
        forged.put("RS256 by another key under our kid", other.serialize());
        return forged;
    }

    private static String hmacSigned(SignedJWT genuine, TokenType type, String kid, byte[] secret)
            throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(type.type).keyID(kid).build(),
                genuine.getJWTClaimsSet());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private RSAKey ourPublicKey(String kid) throws Exception {
        String jwks = new GetJwksHandler(services).handleRequest(new APIGatewayProxyRequestEvent(), null).getBody();
        return (RSAKey) JWKSet.parse(jwks).getKeyByKeyId(kid);
    }

    private static String swapCase(String value) {
        StringBuilder swapped = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            swapped.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return swapped.toString();
    }

    private static String randomVerifier(int length) {
        SecureRandom random = new SecureRandom();
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append(UNRESERVED.charAt(random.nextInt(UNRESERVED.length())));
        }
        return value.toString();
    }

    /** Runs the consent page (when there is one) and returns the code the request yields. */
    private String approve(Map<String, String> query) {
        return oauth.approvedCode(userToken, query);
    }

    private Map<String, String> authorizationQuery(String redirectUri) {
        return OAuthEndpoints.codeRequest(clientId, redirectUri, "openid files:read", verifier);
    }

    /** A public client's exchange: client_id and the PKCE verifier, no secret. */
    private Map<String, String> codeExchange(String code, String codeVerifier) {
        return OAuthEndpoints.publicExchange(clientId, code, REDIRECT_URI, codeVerifier);
    }

    private String registerClient(List<String> authenticationMethods) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Photo Printer", clientSecret);
        client.setScopes(List.of("openid", "files:read"));
        client.setAuthenticationMethods(authenticationMethods);
        client.setRedirectUris(List.of(REDIRECT_URI));
        client.setLogoutRedirectUris(List.of(LOGOUT_URI));
        services.clientRepository().create(client);
        return client.getClientId();
    }
}
