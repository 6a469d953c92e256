package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.FreePort;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.testing.TestServices.RegisteredClient;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /oauth2/token with client_credentials, fed by events/IssueTokenFunction.json, over DynamoDB Local. */
class IssueTokenHandlerTest {

    /** The credentials inside the event file's Basic header. */
    private static final String EVENT_CLIENT_ID = "7d1c2f4e-0b5a-4c1e-9f3d-2a6b8c0e1f23";
    private static final String EVENT_SECRET = "example-secret-value-for-tests-only-0123456789";
    private static final String EVENT_ISSUER = "https://abc123defg.execute-api.us-east-1.amazonaws.com/live";

    private Services services;
    private IssueTokenHandler handler;

    @BeforeEach
    void setUp() {
        services = TestServices.create(MutableClock.startingNow());
        handler = new IssueTokenHandler(services);
    }

    @Test
    void theEventsClientGetsAVerifiableStoredAtJwt() throws Exception {
        // GIVEN the client named in the event file
        TestServices.registerClient(services, EVENT_CLIENT_ID, EVENT_SECRET, ServiceScopes.ALL, true);

        // WHEN the event is handled
        APIGatewayProxyResponseEvent response = handler.handleRequest(event(), null);

        // THEN a bearer token comes back, uncacheable, with the requested scope only
        assertEquals(200, response.getStatusCode());
        assertEquals("no-store", response.getHeaders().get("Cache-Control"));
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertEquals("Bearer", body.path("token_type").asText());
        assertEquals(3600, body.path("expires_in").asInt());
        assertEquals(ServiceScopes.TOKENS_ADMIN, body.path("scope").asText());

        // AND it is an RFC 9068 JWT signed by the published key, carrying the stage URL as issuer
        SignedJWT jwt = SignedJWT.parse(body.path("access_token").asText());
        assertEquals("at+jwt", jwt.getHeader().getType().getType());
        assertTrue(jwt.verify(services.signingKeys().verifierFor(jwt.getHeader()).orElseThrow()));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(EVENT_ISSUER, claims.getIssuer());
        assertEquals(EVENT_CLIENT_ID, claims.getSubject());
        assertEquals(EVENT_CLIENT_ID, claims.getStringClaim("client_id"));
        assertEquals(List.of(EVENT_ISSUER), claims.getAudience());
        assertEquals(ServiceScopes.TOKENS_ADMIN, claims.getStringClaim("scope"));
        assertEquals(3600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);

        // AND the token is stored, so that it can be verified and revoked
        var stored = services.tokenRepository().find(TokenKeys.accessToken(claims.getJWTID())).orElseThrow();
        assertEquals(EVENT_CLIENT_ID, stored.getClientId());
        assertFalse(stored.isRevoked());
    }

    @Test
    void clientSecretPostWorksAndWithoutScopeGrantsEveryRegisteredScope() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, ServiceScopes.ALL);

        APIGatewayProxyResponseEvent response = handler.handleRequest(form(null,
                "grant_type=client_credentials&client_id=" + client.clientId() + "&client_secret=" + client.secret()), null);

        assertEquals(200, response.getStatusCode());
        assertEquals(String.join(" ", ServiceScopes.ALL), Json.MAPPER.readTree(response.getBody()).path("scope").asText());
        // an access token only: no issued_token_type member (RFC 8693's, for token exchange), not even null
        assertFalse(Json.MAPPER.readTree(response.getBody()).has("issued_token_type"), response.getBody());
    }

    @Test
    void parametersSentWithoutAValueAreTreatedAsOmitted() throws Exception {
        // RFC 6749 §3.1: an empty scope or resource is no scope or resource at all
        RegisteredClient client = TestServices.registerClient(services, ServiceScopes.ALL);

        APIGatewayProxyResponseEvent response = handler.handleRequest(form(basic(client.clientId(), client.secret()),
                "grant_type=client_credentials&scope=&resource="), null);

        assertEquals(200, response.getStatusCode(), response.getBody());
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertEquals(String.join(" ", ServiceScopes.ALL), body.path("scope").asText());
        // the audience of a token that names no resource: this service (its issuer)
        var claims = com.nimbusds.jwt.SignedJWT.parse(body.path("access_token").asText()).getJWTClaimsSet();
        assertEquals(List.of(claims.getIssuer()), claims.getAudience());
    }

    @Test
    void aScopeParameterOfSpacesOnlyNamesNoScope() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, ServiceScopes.ALL);

        APIGatewayProxyResponseEvent response = handler.handleRequest(form(basic(client.clientId(), client.secret()),
                "grant_type=client_credentials&scope=%20%20"), null);

        assertOAuthError(response, 400, "invalid_scope");
    }

    @Test
    void onlyPostIsATokenRequest() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, List.of());
        APIGatewayProxyRequestEvent get = form(basic(client.clientId(), client.secret()), "grant_type=client_credentials");
        get.setHttpMethod("GET");

        APIGatewayProxyResponseEvent response = handler.handleRequest(get, null);

        assertOAuthError(response, 400, "invalid_request");
        assertTrue(response.getBody().contains("POST"), response.getBody());
    }

    @Test
    void basicCredentialsAreFormDecodedBeforeUse() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, "client:with/odd+chars", "s3cret+/=:x",
                List.of(), true);

        APIGatewayProxyResponseEvent response = handler.handleRequest(
                form(basic("client%3Awith%2Fodd%2Bchars", "s3cret%2B%2F%3D%3Ax"), "grant_type=client_credentials"), null);

        assertEquals(200, response.getStatusCode(), response.getBody());
        String token = Json.MAPPER.readTree(response.getBody()).path("access_token").asText();
        assertEquals(client.clientId(), SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("client_id"));
    }

    @Test
    void aWrongSecretIs401InvalidClientWithABasicChallenge() throws Exception {
        TestServices.registerClient(services, EVENT_CLIENT_ID, "another-secret", List.of(), true);

        APIGatewayProxyResponseEvent response = handler.handleRequest(event(), null);

        assertOAuthError(response, 401, "invalid_client");
        assertTrue(response.getHeaders().get("WWW-Authenticate").startsWith("Basic realm="));
        // AND a wrong secret posted in the body gets no Basic challenge: the client did not use the header
        APIGatewayProxyResponseEvent posted = handler.handleRequest(form(null, "grant_type=client_credentials"
                + "&client_id=" + EVENT_CLIENT_ID + "&client_secret=wrong"), null);
        assertOAuthError(posted, 401, "invalid_client");
        assertFalse(posted.getHeaders().containsKey("WWW-Authenticate"), posted.getHeaders().toString());
    }

    @Test
    void anUnknownClientGetsTheSameAnswerAsAWrongSecret() throws Exception {
        APIGatewayProxyResponseEvent response = handler.handleRequest(event(), null);

        assertOAuthError(response, 401, "invalid_client");
        assertEquals("client authentication failed",
                Json.MAPPER.readTree(response.getBody()).path("error_description").asText());
    }

    @Test
    void aDisabledClientGetsNoNewToken() throws Exception {
        TestServices.registerClient(services, EVENT_CLIENT_ID, EVENT_SECRET, ServiceScopes.ALL, false);

        assertOAuthError(handler.handleRequest(event(), null), 400, "unauthorized_client");
    }

    @Test
    void anUnregisteredScopeIsInvalidScopeNamingIt() throws Exception {
        TestServices.registerClient(services, EVENT_CLIENT_ID, EVENT_SECRET, List.of(ServiceScopes.CLIENTS_ADMIN), true);

        APIGatewayProxyResponseEvent response = handler.handleRequest(event(), null);

        assertOAuthError(response, 400, "invalid_scope");
        assertTrue(response.getBody().contains(ServiceScopes.TOKENS_ADMIN));
    }

    @Test
    void badRequestsAre400InvalidRequestNamingTheProblem() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, List.of());
        String auth = basic(client.clientId(), client.secret());
        Map<String, APIGatewayProxyRequestEvent> cases = new HashMap<>();
        cases.put("grant_type", form(auth, "scope=x"));
        cases.put("repeated", form(auth, "grant_type=client_credentials&grant_type=client_credentials"));
        cases.put("both", form(auth, "grant_type=client_credentials&client_id=" + client.clientId()
                + "&client_secret=" + client.secret()));
        APIGatewayProxyRequestEvent json = form(auth, "{\"grant_type\":\"client_credentials\"}");
        json.getHeaders().put("Content-Type", "application/json");
        cases.put("x-www-form-urlencoded", json);

        for (var entry : cases.entrySet()) {
            APIGatewayProxyResponseEvent response = handler.handleRequest(entry.getValue(), null);
            assertOAuthError(response, 400, "invalid_request");
            assertTrue(response.getBody().contains(entry.getKey()), entry.getKey() + ": " + response.getBody());
        }
    }

    @Test
    void postedCredentialsMustNameTheClientAndBasicCredentialsMustAgreeWithAnyPostedClientId() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, List.of());

        // a posted secret without client_id names no client
        APIGatewayProxyResponseEvent noId = handler.handleRequest(form(null,
                "grant_type=client_credentials&client_secret=" + client.secret()), null);
        assertOAuthError(noId, 400, "invalid_request");
        assertTrue(noId.getBody().contains("client_id"), noId.getBody());

        // Basic credentials and a posted client_id naming another client contradict each other
        APIGatewayProxyResponseEvent contradiction = handler.handleRequest(form(basic(client.clientId(), client.secret()),
                "grant_type=client_credentials&client_id=someone-else"), null);
        assertOAuthError(contradiction, 400, "invalid_request");
        assertTrue(contradiction.getBody().contains("client_id does not match"), contradiction.getBody());

        // the same client_id beside Basic is fine (RFC 6749 allows it)
        assertEquals(200, handler.handleRequest(form(basic(client.clientId(), client.secret()),
                "grant_type=client_credentials&client_id=" + client.clientId()), null).getStatusCode());
    }

    @Test
    void onlyTheBasicSchemeCarriesClientCredentialsAndItNeedsAClientId() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, List.of());

        // another scheme in the Authorization header is not client authentication: the posted secret is
        APIGatewayProxyResponseEvent bearerBeside = handler.handleRequest(form("Bearer some-access-token",
                "grant_type=client_credentials&client_id=" + client.clientId() + "&client_secret=" + client.secret()),
                null);
        assertEquals(200, bearerBeside.getStatusCode(), bearerBeside.getBody());

        // Basic credentials with an empty client id, or no colon, are refused before any lookup
        for (String credentials : List.of(":" + client.secret(), client.clientId() + client.secret())) {
            String header = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
            APIGatewayProxyResponseEvent refused = handler.handleRequest(form(header, "grant_type=client_credentials"),
                    null);
            assertOAuthError(refused, 401, "invalid_client");
            assertTrue(refused.getBody().contains("client_id:client_secret"), refused.getBody());
        }
    }

    @Test
    void anUnknownGrantTypeIsUnsupported() throws Exception {
        RegisteredClient client = TestServices.registerClient(services, List.of());

        assertOAuthError(handler.handleRequest(form(basic(client.clientId(), client.secret()), "grant_type=password"), null),
                400, "unsupported_grant_type");
    }

    @Test
    void noClientAuthenticationIs401() throws Exception {
        assertOAuthError(handler.handleRequest(form(null, "grant_type=client_credentials"), null), 401, "invalid_client");
    }

    @Test
    void aBase64EncodedBodyIsDecoded() {
        RegisteredClient client = TestServices.registerClient(services, List.of());
        APIGatewayProxyRequestEvent request = form(basic(client.clientId(), client.secret()), null);
        request.setBody(Base64.getEncoder().encodeToString("grant_type=client_credentials".getBytes(StandardCharsets.UTF_8)));
        request.setIsBase64Encoded(true);

        assertEquals(200, handler.handleRequest(request, null).getStatusCode());
    }

    @Test
    void whenDynamoDbIsUnreachableTheAnswerIs503WithRetryAfterAndNoToken() throws Exception {
        Services down = TestServices.create(MutableClock.startingNow(), Map.of(), "http://127.0.0.1:" + FreePort.find());

        APIGatewayProxyResponseEvent response = new IssueTokenHandler(down).handleRequest(event(), null);

        assertOAuthError(response, 503, "temporarily_unavailable");
        assertEquals("2", response.getHeaders().get("Retry-After"));
        assertFalse(response.getBody().contains("access_token"));
        assertFalse(response.getBody().contains("Exception"));
    }

    private static void assertOAuthError(APIGatewayProxyResponseEvent response, int status, String error) throws Exception {
        assertEquals(status, response.getStatusCode(), response.getBody());
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertEquals(error, body.path("error").asText());
        assertFalse(body.path("error_description").asText().isEmpty());
        assertNull(body.get("access_token"));
    }

    private static APIGatewayProxyRequestEvent event() {
        return EventLoader.loadApiGatewayRestEvent("events/IssueTokenFunction.json");
    }

    private static APIGatewayProxyRequestEvent form(String authorization, String body) {
        APIGatewayProxyRequestEvent request = event();
        Map<String, String> headers = new HashMap<>(request.getHeaders());
        headers.remove("Authorization");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        request.setHeaders(headers);
        request.setMultiValueHeaders(null);
        request.setBody(body);
        return request;
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
