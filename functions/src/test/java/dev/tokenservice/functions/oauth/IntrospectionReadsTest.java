package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.testing.TestServices.RegisteredClient;
import dev.tokenservice.wiring.Services;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What introspection and the SnapStart priming hooks cost in DynamoDB requests: the asking client's row and the
 * token's state come back in one BatchGetItem, and priming reads but never writes.
 */
class IntrospectionReadsTest {

    private static final List<String> WRITES =
            List.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems");

    private final MutableClock clock = MutableClock.startingNow();
    private final Faults dynamoDb = new Faults();
    private Services services;
    private IssueTokenHandler tokens;
    private IntrospectTokenHandler introspection;
    private RegisteredClient client;

    @BeforeEach
    void setUp() {
        services = TestServices.create(clock, Map.of("CLIENT_AUTH_FAILURE_LIMIT", "2"), dynamoDb, TestServices::rsaKeys);
        tokens = new IssueTokenHandler(services);
        introspection = new IntrospectTokenHandler(services);
        client = TestServices.registerClient(services, List.of());
    }

    @Test
    void aLiveTokenIsIntrospectedWithOneRequestForClientAndTokenState() throws Exception {
        String token = issueToken();
        int batches = dynamoDb.calls("BatchGetItem");
        int gets = dynamoDb.calls("GetItem");

        JsonNode answer = introspect(client.secret(), token);

        assertTrue(answer.path("active").asBoolean());
        assertEquals(client.clientId(), answer.path("client_id").asText());
        // a token bound to no key is a bearer token, with no cnf (RFC 9449 §6.2 only for bound ones)
        assertEquals("Bearer", answer.path("token_type").asText());
        assertFalse(answer.has("cnf"));
        assertEquals(batches + 1, dynamoDb.calls("BatchGetItem"));
        assertEquals(gets, dynamoDb.calls("GetItem"));
    }

    @Test
    void aWrongSecretGetsNoAnswerAboutTheTokenEvenThoughItsStateWasReadAlongside() throws Exception {
        String token = issueToken();

        APIGatewayProxyResponseEvent refused = introspection.handleRequest(introspectRequest("wrong", token), null);

        assertEquals(401, refused.getStatusCode());
        JsonNode body = Json.MAPPER.readTree(refused.getBody());
        assertEquals("invalid_client", body.path("error").asText());
        assertFalse(body.has("active"));
    }

    @Test
    void aRequestWithoutATokenIsABadRequestNamingIt() throws Exception {
        APIGatewayProxyResponseEvent missing = introspection.handleRequest(
                formPost("/oauth2/introspect", client.clientId(), client.secret(), "token_type_hint=access_token"), null);

        assertEquals(400, missing.getStatusCode(), missing.getBody());
        JsonNode body = Json.MAPPER.readTree(missing.getBody());
        assertEquals("invalid_request", body.path("error").asText());
        assertTrue(body.path("error_description").asText().contains("token"), missing.getBody());
    }

    @Test
    void aForgedTokenIsInactiveAndOnlyTheClientIsRead() throws Exception {
        String token = issueToken();
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        clock.advance(java.time.Duration.ofSeconds(1)); // past CLIENT_CACHE_SECONDS: the client's row is read again
        int batches = dynamoDb.calls("BatchGetItem");

        assertFalse(introspect(client.secret(), forged).path("active").asBoolean());
        assertEquals(batches + 1, dynamoDb.calls("BatchGetItem"));
    }

    @Test
    void primingReadsButWritesNothingAndDoesNotCountAsFailedAuthentication() throws Exception {
        int[] writesBefore = WRITES.stream().mapToInt(dynamoDb::calls).toArray();

        for (int i = 0; i < 5; i++) {
            clock.advance(java.time.Duration.ofSeconds(1)); // past CLIENT_CACHE_SECONDS, as between snapshots
            int readsBefore = reads();
            tokens.prime();
            assertTrue(reads() > readsBefore, "token priming reads the client, as a real request does");
            readsBefore = reads();
            introspection.prime();
            assertTrue(reads() > readsBefore, "introspection priming reads the client and token state");
        }

        int[] writesAfter = WRITES.stream().mapToInt(dynamoDb::calls).toArray();
        for (int i = 0; i < WRITES.size(); i++) {
            assertEquals(writesBefore[i], writesAfter[i], WRITES.get(i) + " during priming");
        }
        // Past the failure limit (2) a counted client id would now get 429; priming left no count behind.
        APIGatewayProxyResponseEvent afterPriming = introspection.handleRequest(
                formPost("/oauth2/introspect", dev.tokenservice.wiring.Priming.NO_CLIENT, "x", "token=t"), null);
        assertEquals(401, afterPriming.getStatusCode());
        // AND on the thread that primed, real failures are counted again: the third one past the limit is slowed down
        for (int i = 0; i < 2; i++) {
            assertEquals(401, introspection.handleRequest(introspectRequest("wrong", "t"), null).getStatusCode());
        }
        assertEquals(429, introspection.handleRequest(introspectRequest("wrong", "t"), null).getStatusCode());
    }

    private int reads() {
        return dynamoDb.calls("GetItem") + dynamoDb.calls("BatchGetItem");
    }

    private String issueToken() throws Exception {
        APIGatewayProxyResponseEvent issued = tokens.handleRequest(
                formPost("/oauth2/token", client.clientId(), client.secret(), "grant_type=client_credentials"), null);
        assertEquals(200, issued.getStatusCode());
        return Json.MAPPER.readTree(issued.getBody()).path("access_token").asText();
    }

    private JsonNode introspect(String secret, String token) throws Exception {
        APIGatewayProxyResponseEvent answer = introspection.handleRequest(introspectRequest(secret, token), null);
        assertEquals(200, answer.getStatusCode());
        return Json.MAPPER.readTree(answer.getBody());
    }

    private APIGatewayProxyRequestEvent introspectRequest(String secret, String token) {
        return formPost("/oauth2/introspect", client.clientId(), secret,
                "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    private static APIGatewayProxyRequestEvent formPost(String path, String clientId, String secret, String body) {
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST").withResource(path).withPath(path)
                .withHeaders(Map.of("Host", "issuer.test", "X-Forwarded-Proto", "https",
                        "Content-Type", "application/x-www-form-urlencoded",
                        "Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8))))
                .withBody(body);
    }
}
