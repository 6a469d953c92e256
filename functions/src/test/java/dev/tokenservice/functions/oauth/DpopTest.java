package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.DpopProver;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DPoP (RFC 9449) as a client and a resource server meet it: a proof at the token endpoint binds the tokens to the
 * client's key, a bound token counts only with a fresh proof of that key, and every way a proof can be wrong is
 * refused. The proofs are made by Nimbus in the test (DpopProver), not by the code under test.
 */
class DpopTest {

    private static final String TOKEN_URI = TestServices.ISSUER + "/oauth2/token";
    private static final String USERINFO_URI = TestServices.ISSUER + "/oauth2/userinfo";
    private static final String REDIRECT_URI = "https://app.example.com/callback";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private DpopProver prover;
    private TestServices.RegisteredClient machine;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        oauth = new OAuthEndpoints(services);
        prover = DpopProver.es256(clock);
        machine = TestServices.registerClient(services, List.of("openid"));
    }

    @Test
    void aProofAtTheTokenEndpointBindsTheAccessTokenToTheKey() throws Exception {
        // GIVEN a client_credentials request with a DPoP proof
        // WHEN it is sent
        APIGatewayProxyResponseEvent response = clientCredentials(prover.proof("POST", TOKEN_URI, null));

        // THEN the token is a DPoP token whose cnf.jkt is the key's thumbprint
        assertEquals(200, response.getStatusCode(), response.getBody());
        JsonNode body = OAuthEndpoints.json(response);
        assertEquals("DPoP", body.path("token_type").asText());
        String token = body.path("access_token").asText();
        assertEquals(Map.of("jkt", prover.thumbprint()), SignedJWT.parse(token).getJWTClaimsSet().getJSONObjectClaim("cnf"));

        // AND introspection tells a resource server the key it must see a proof of
        JsonNode introspected = OAuthEndpoints.json(oauth.introspect(Map.of("token", token,
                "client_id", machine.clientId(), "client_secret", machine.secret())));
        assertTrue(introspected.path("active").asBoolean(), introspected.toString());
        assertEquals("DPoP", introspected.path("token_type").asText());
        assertEquals(prover.thumbprint(), introspected.path("cnf").path("jkt").asText());
    }

    @Test
    void withoutAProofTheTokenStaysABearerTokenWithoutCnf() throws Exception {
        // GIVEN a client_credentials request without a DPoP header WHEN it is sent THEN a bearer token without cnf
        JsonNode body = OAuthEndpoints.json(clientCredentials(null));
        assertEquals("Bearer", body.path("token_type").asText());
        assertEquals(null, SignedJWT.parse(body.path("access_token").asText()).getJWTClaimsSet().getClaim("cnf"));
    }

    @Test
    void aBoundTokenOpensAProtectedRouteOnlyWithAFreshProofOfItsKey() {
        // GIVEN a DPoP-bound access token with openid (a user's, from a public client's code flow)
        String token = OAuthEndpoints.json(publicCodeExchange(prover.proof("POST", TOKEN_URI, null)))
                .path("access_token").asText();

        // WHEN it is sent with the DPoP scheme and a proof of its key over it THEN userinfo answers
        assertEquals(200, oauth.userInfo("DPoP " + token, prover.proof("GET", USERINFO_URI, token)).getStatusCode());

        // AND so does userinfo by POST, with a proof for that method
        assertEquals(200, oauth.userInfoByPost("DPoP " + token, prover.proof("POST", USERINFO_URI, token)).getStatusCode());
        // AND a bound token in the form body (no proof can go with it) is refused
        assertEquals(401, oauth.userInfoByForm(token).getStatusCode());

        // WHEN it is sent as a Bearer token THEN 401 invalid_token with a DPoP challenge
        APIGatewayProxyResponseEvent asBearer = oauth.userInfo("Bearer " + token, null);
        assertEquals(401, asBearer.getStatusCode());
        assertTrue(asBearer.getHeaders().get("WWW-Authenticate").startsWith("DPoP "), asBearer.getHeaders().toString());

        // WHEN the DPoP scheme comes without a proof, with a proof by another key, or the proof is replayed
        String replayed = prover.proof("GET", USERINFO_URI, token);
        assertEquals(200, oauth.userInfo("DPoP " + token, replayed).getStatusCode());
        DpopProver other = DpopProver.es256(clock);
        // THEN each is refused
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, null), "invalid_dpop_proof");
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, other.proof("GET", USERINFO_URI, token)), "invalid_token");
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, replayed), "invalid_dpop_proof");
        // AND so are proofs for another method, another URI, another token (ath) or none
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, prover.proof("POST", USERINFO_URI, token)), "invalid_dpop_proof");
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, prover.proof("GET", TOKEN_URI, token)), "invalid_dpop_proof");
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, prover.proof("GET", USERINFO_URI, token + "x")), "invalid_dpop_proof");
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + token, prover.proof("GET", USERINFO_URI, null)), "invalid_dpop_proof");
    }

    @Test
    void aBearerTokenIsNoDpopToken() {
        // GIVEN a bearer token with openid WHEN it is sent with the DPoP scheme and a valid proof THEN 401
        String bearer = Requests.token(services, machine.clientId(), List.of("openid"));
        assertRefusedAtUserInfo(oauth.userInfo("DPoP " + bearer, prover.proof("GET", USERINFO_URI, bearer)), "invalid_token");
        // AND as a Bearer token it still works
        assertEquals(200, oauth.userInfo("Bearer " + bearer, null).getStatusCode());
    }

    @Test
    void everyMalformedOrMisdirectedProofIsRefusedAtTheTokenEndpoint() {
        long now = clock.instant().getEpochSecond();
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("another method", prover.build().method("GET").uri(TOKEN_URI).sign());
        refusals.put("another URI", prover.build().method("POST").uri(TestServices.ISSUER + "/oauth2/introspect").sign());
        refusals.put("another host", prover.build().method("POST").uri("https://evil.test/oauth2/token").sign());
        refusals.put("made 61 s ago", prover.build().method("POST").uri(TOKEN_URI).issuedAt(now - 61).sign());
        refusals.put("made 11 s ahead", prover.build().method("POST").uri(TOKEN_URI).issuedAt(now + 11).sign());
        refusals.put("typ JWT", prover.build().method("POST").uri(TOKEN_URI).type("JWT").sign());
        refusals.put("HS256", prover.build().method("POST").uri(TOKEN_URI).hmac().sign());
        refusals.put("a private key in the header", prover.build().method("POST").uri(TOKEN_URI).privateKeyInHeader().sign());
        refusals.put("an empty jti", prover.build().method("POST").uri(TOKEN_URI).jti("").sign());
        refusals.put("not a JWT", "not-a-jwt");
        String signed = prover.proof("POST", TOKEN_URI, null);
        String[] parts = signed.split("\\.");
        refusals.put("a signature over other claims", parts[0] + "." + prover.proof("POST", TOKEN_URI, null).split("\\.")[1]
                + "." + parts[2]);
        refusals.put("alg none", noneAlgorithm(parts[1]));
        refusals.forEach((what, proof) -> {
            // GIVEN a proof with one thing wrong WHEN it comes with a token request THEN 400 invalid_dpop_proof
            APIGatewayProxyResponseEvent response = clientCredentials(proof);
            assertEquals(400, response.getStatusCode(), what + ": " + response.getBody());
            assertEquals("invalid_dpop_proof", OAuthEndpoints.json(response).path("error").asText(), what);
        });
        // AND the proofs at the edges of the window are accepted
        assertEquals(200, clientCredentials(prover.build().method("POST").uri(TOKEN_URI).issuedAt(now - 60).sign()).getStatusCode());
        assertEquals(200, clientCredentials(prover.build().method("POST").uri(TOKEN_URI).issuedAt(now + 10).sign()).getStatusCode());
    }

    @Test
    void aReplayedProofIsRefusedAtTheTokenEndpoint() {
        // GIVEN a proof that bought a token
        String proof = prover.proof("POST", TOKEN_URI, null);
        assertEquals(200, clientCredentials(proof).getStatusCode());
        // WHEN it is sent again, to another instance of the function THEN it is refused
        APIGatewayProxyResponseEvent again = new OAuthEndpoints(services)
                .tokenWithProof(clientCredentialsForm(), null, proof);
        assertEquals(400, again.getStatusCode(), again.getBody());
        assertTrue(OAuthEndpoints.json(again).path("error_description").asText().contains("used before"));
    }

    @Test
    void aPublicClientsRefreshTokenIsBoundToTheKeyToo() {
        // GIVEN a public client's tokens bought with a proof
        JsonNode tokens = OAuthEndpoints.json(publicCodeExchange(prover.proof("POST", TOKEN_URI, null)));
        String refreshToken = tokens.path("refresh_token").asText();
        Map<String, String> refresh = Map.of("grant_type", "refresh_token", "refresh_token", refreshToken,
                "client_id", publicClientId);

        // WHEN the refresh token is used without a proof, or with another key's THEN invalid_grant, and it is not used up
        assertEquals("invalid_grant", OAuthEndpoints.json(oauth.tokenWithProof(refresh, null, null)).path("error").asText());
        assertEquals("invalid_grant", OAuthEndpoints.json(oauth.tokenWithProof(refresh, null,
                DpopProver.es256(clock).proof("POST", TOKEN_URI, null))).path("error").asText());

        // WHEN it is used with a proof of its key THEN new DPoP tokens come back
        APIGatewayProxyResponseEvent refreshed = oauth.tokenWithProof(refresh, null, prover.proof("POST", TOKEN_URI, null));
        assertEquals(200, refreshed.getStatusCode(), refreshed.getBody());
        assertEquals("DPoP", OAuthEndpoints.json(refreshed).path("token_type").asText());
        String rotated = OAuthEndpoints.json(refreshed).path("refresh_token").asText();
        assertNotEquals(refreshToken, rotated);

        // WHEN the used token is presented again without a proof of its key, as by whoever copied it THEN it is
        // invalid_grant without counting as the reuse that ends the session: the owner's rotated token lives on
        assertEquals("invalid_grant", OAuthEndpoints.json(oauth.tokenWithProof(refresh, null, null)).path("error").asText());

        // AND introspection (by a tokens:admin client: a public client cannot authenticate) names the refresh
        // token's key too
        var admin = TestServices.registerClient(services, List.of("tokens:admin"));
        JsonNode introspected = OAuthEndpoints.json(oauth.introspect(Map.of("token", rotated,
                "client_id", admin.clientId(), "client_secret", admin.secret())));
        assertTrue(introspected.path("active").asBoolean(), introspected.toString());
        assertEquals("refresh_token", introspected.path("token_type").asText());
        assertEquals(prover.thumbprint(), introspected.path("cnf").path("jkt").asText());
    }

    @Test
    void aConfidentialClientsRefreshTokenIsNotBoundToTheKey() {
        // GIVEN a confidential client's DPoP-bound tokens, bought with its secret and a proof
        String secret = SecretHasher.newSecret();
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Confidential app", secret);
        client.setScopes(List.of("openid"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        services.clientRepository().create(client);
        String verifier = OpaqueTokens.newValue();
        String code = oauth.approvedCode(Requests.session(services, "user-8"),
                OAuthEndpoints.codeRequest(client.getClientId(), REDIRECT_URI, "openid", verifier));
        JsonNode tokens = OAuthEndpoints.json(oauth.tokenWithProof(OAuthEndpoints.withClientSecret(client.getClientId(),
                secret, "grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT_URI,
                "code_verifier", verifier), null, prover.proof("POST", TOKEN_URI, null)));
        assertEquals("DPoP", tokens.path("token_type").asText(), tokens.toString());

        // WHEN it refreshes with its secret and no proof THEN it gets a Bearer token: its refresh token is already
        // bound to its credentials, and is not bound to the key (RFC 9449 §5)
        APIGatewayProxyResponseEvent refreshed = oauth.tokenWithProof(OAuthEndpoints.withClientSecret(
                client.getClientId(), secret, "grant_type", "refresh_token", "refresh_token",
                tokens.path("refresh_token").asText()), null, null);
        assertEquals(200, refreshed.getStatusCode(), refreshed.getBody());
        assertEquals("Bearer", OAuthEndpoints.json(refreshed).path("token_type").asText());
    }

    @Test
    void aClientRegisteredWithDpopBoundAccessTokensGetsTokensOnlyWithAProof() {
        // GIVEN a client registered with dpop_bound_access_tokens (RFC 9449 §5.2)
        TestServices.changeClient(services, machine.clientId(), client -> client.setDpopBoundAccessTokens(true));

        // WHEN it asks for a token without a proof THEN 400 invalid_dpop_proof naming the registration
        APIGatewayProxyResponseEvent bare = clientCredentials(null);
        assertEquals(400, bare.getStatusCode());
        assertEquals("invalid_dpop_proof", OAuthEndpoints.json(bare).path("error").asText());
        assertTrue(OAuthEndpoints.json(bare).path("error_description").asText().contains("dpop_bound_access_tokens"));
        // AND with a proof it gets a bound token
        APIGatewayProxyResponseEvent bound = clientCredentials(prover.proof("POST", TOKEN_URI, null));
        assertEquals(200, bound.getStatusCode(), bound.getBody());
        assertEquals("DPoP", OAuthEndpoints.json(bound).path("token_type").asText());
        // AND a wrong secret is still 401 first: the registration is told only to the client itself
        assertEquals(401, oauth.tokenWithProof(Map.of("grant_type", "client_credentials", "client_id",
                machine.clientId(), "client_secret", "wrong"), null, null).getStatusCode());
        // AND its other endpoints (introspection, revocation) need no proof: they issue no token
        assertEquals(200, oauth.introspect(Map.of("token", OAuthEndpoints.json(bound).path("access_token").asText(),
                "client_id", machine.clientId(), "client_secret", machine.secret())).getStatusCode());
        APIGatewayProxyResponseEvent revoked = oauth.revoke(Map.of("token",
                OAuthEndpoints.json(bound).path("access_token").asText(),
                "client_id", machine.clientId(), "client_secret", machine.secret()));
        assertEquals(200, revoked.getStatusCode(), revoked.getBody());
    }

    @Test
    void withNoncesRequiredAProofMustCarryTheServersNonce() {
        // GIVEN a token endpoint that requires DPoP nonces
        Services strict = TestServices.create(clock, Map.of("DPOP_NONCE_REQUIRED", "true"));
        OAuthEndpoints endpoints = new OAuthEndpoints(strict);
        var client = TestServices.registerClient(strict, List.of("openid"));
        Map<String, String> form = Map.of("grant_type", "client_credentials", "client_id", client.clientId(),
                "client_secret", client.secret());

        // WHEN a proof comes without a nonce THEN 400 use_dpop_nonce with the nonce to use
        APIGatewayProxyResponseEvent first = endpoints.tokenWithProof(form, null, prover.proof("POST", TOKEN_URI, null));
        assertEquals(400, first.getStatusCode());
        assertEquals("use_dpop_nonce", OAuthEndpoints.json(first).path("error").asText());
        String nonce = first.getHeaders().get("DPoP-Nonce");

        // WHEN the proof carries it THEN a bound token, and the answer carries a nonce for the next proof
        APIGatewayProxyResponseEvent second = endpoints.tokenWithProof(form, null,
                prover.build().method("POST").uri(TOKEN_URI).nonce(nonce).sign());
        assertEquals(200, second.getStatusCode(), second.getBody());
        assertTrue(second.getHeaders().containsKey("DPoP-Nonce"));

        // WHEN a nonce is forged or has aged past two lifetimes THEN use_dpop_nonce again
        assertEquals("use_dpop_nonce", OAuthEndpoints.json(endpoints.tokenWithProof(form, null,
                prover.build().method("POST").uri(TOKEN_URI).nonce(nonce + "x").sign())).path("error").asText());
        clock.advance(java.time.Duration.ofSeconds(601));
        assertEquals("use_dpop_nonce", OAuthEndpoints.json(endpoints.tokenWithProof(form, null,
                prover.build().method("POST").uri(TOKEN_URI).nonce(nonce).sign())).path("error").asText());
    }

    private static String noneAlgorithm(String payload) {
        String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"typ\":\"dpop+jwt\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    private void assertRefusedAtUserInfo(APIGatewayProxyResponseEvent response, String error) {
        assertEquals(401, response.getStatusCode(), response.getBody());
        assertEquals(error, OAuthEndpoints.json(response).path("error").asText(), response.getBody());
        assertTrue(response.getHeaders().get("WWW-Authenticate").startsWith("DPoP error=\"" + error + "\""),
                response.getHeaders().toString());
    }

    private APIGatewayProxyResponseEvent clientCredentials(String proof) {
        return oauth.tokenWithProof(clientCredentialsForm(), null, proof);
    }

    private Map<String, String> clientCredentialsForm() {
        return Map.of("grant_type", "client_credentials", "client_id", machine.clientId(),
                "client_secret", machine.secret());
    }

    private String publicClientId;

    /** A public client's code flow for a signed-in user, the exchange carrying this proof. */
    private APIGatewayProxyResponseEvent publicCodeExchange(String proof) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Public app", SecretHasher.newSecret());
        client.setScopes(List.of("openid"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        services.clientRepository().create(client);
        publicClientId = client.getClientId();
        String verifier = OpaqueTokens.newValue();
        String code = oauth.approvedCode(Requests.session(services, "user-7"),
                OAuthEndpoints.codeRequest(publicClientId, REDIRECT_URI, "openid", verifier));
        return oauth.tokenWithProof(OAuthEndpoints.publicExchange(publicClientId, code, REDIRECT_URI, verifier), null, proof);
    }
}
