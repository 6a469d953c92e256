package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.functions.scopes.ListScopesHandler;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.signing.KmsSigningKeys;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.LogCapture;
import dev.tokenservice.testing.MotoKms;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.testing.TestServices.RegisteredClient;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * DynamoDB and KMS throttling and outages, injected into the real SDK clients (DynamoDB Local, moto KMS):
 * the caller gets 429 or 503 with Retry-After in its family's error format, never a stack trace, never a
 * token that was not stored, and no stored token is left that was not returned.
 */
class DependencyFaultsTest {

    private static String kmsKeyId;

    private final Faults dynamoDb = new Faults();
    private final Faults kms = new Faults();
    private Services services;
    private IssueTokenHandler handler;
    private RegisteredClient client;

    @BeforeAll
    static void createKmsKey() {
        kmsKeyId = MotoKms.client().createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata().keyId();
        dev.tokenservice.testing.AwsCallRecorder.nameResource(kmsKeyId, "SigningKey");
    }

    @BeforeEach
    void setUp() {
        KmsClient faultyKms = MotoKms.client(kms);
        Supplier<SigningKeys> kmsKeys = () -> KmsSigningKeys.load(faultyKms, kmsKeyId, List.of());
        services = TestServices.create(MutableClock.startingNow(), Map.of(), dynamoDb, kmsKeys);
        handler = new IssueTokenHandler(services);
        client = TestServices.registerClient(services, List.of(ServiceScopes.TOKENS_ADMIN));
    }

    @Test
    void throttledClientLookupIs429WithRetryAfterInTheOAuthFormat() throws Exception {
        dynamoDb.failNext("GetItem", 1, Faults::dynamoDbThrottled);
        int putsBefore = dynamoDb.calls("PutItem");

        APIGatewayProxyResponseEvent response = tokenRequest();

        assertDependencyError(response, 429, "1", "temporarily_unavailable");
        assertEquals(putsBefore, dynamoDb.calls("PutItem"), "nothing is stored for a client that was not checked");
    }

    @Test
    void throttledStoreReturnsNoTokenAndLeavesNoRow() throws Exception {
        dynamoDb.failNext("PutItem", 1, Faults::dynamoDbThrottling);

        APIGatewayProxyResponseEvent response = tokenRequest();

        assertDependencyError(response, 429, "1", "temporarily_unavailable");
        assertEquals(0, accessTokenRows());
        assertEquals(0, dynamoDb.calls("DeleteItem"), "a throttled write was certainly not applied: nothing to undo");
    }

    @Test
    void unavailableStoreIs503AndAnyRowItMayHaveWrittenIsRemoved() throws Exception {
        dynamoDb.failNext("PutItem", 1, Faults::dynamoDbUnavailable);

        APIGatewayProxyResponseEvent response = tokenRequest();

        assertDependencyError(response, 503, "2", "temporarily_unavailable");
        assertEquals(0, accessTokenRows());
        assertEquals(1, dynamoDb.calls("DeleteItem"), "a 5xx may hide an applied write, so the row is deleted");
    }

    @Test
    void throttledSigningIs429AndTheRowStoredBesideItIsDeleted() throws Exception {
        kms.failNext("Sign", 1, Faults::kmsThrottled);
        int putsBefore = dynamoDb.calls("PutItem");

        APIGatewayProxyResponseEvent response = tokenRequest();

        assertDependencyError(response, 429, "1", "temporarily_unavailable");
        assertEquals(putsBefore + 1, dynamoDb.calls("PutItem"), "the row was stored while KMS was signing");
        assertEquals(1, dynamoDb.calls("DeleteItem"));
        assertEquals(0, accessTokenRows(), "no stored token is left that nobody was given");
    }

    @Test
    void kmsInternalErrorOrUnreachableKmsIs503AndLeavesNoRow() throws Exception {
        for (Supplier<RuntimeException> failure : List.<Supplier<RuntimeException>>of(Faults::kmsInternal, Faults::unreachable)) {
            kms.failNext("Sign", 1, failure);

            APIGatewayProxyResponseEvent response = tokenRequest();

            assertDependencyError(response, 503, "2", "temporarily_unavailable");
            assertEquals(0, accessTokenRows());
        }
    }

    @Test
    void whenSigningAndTheCleanupDeleteBothFailTheRowIsLoggedByKeyAndNoTokenIsReturned() throws Exception {
        kms.failNext("Sign", 1, Faults::kmsThrottled);
        dynamoDb.failNext("DeleteItem", 1, Faults::dynamoDbUnavailable);

        var captured = LogCapture.during(this::tokenRequest);

        assertDependencyError(captured.result(), 429, "1", "temporarily_unavailable");
        JsonNode left = captured.json().stream().filter(l -> l.path("message").asText().contains("unreturned token"))
                .findFirst().orElseThrow(() -> new AssertionError("no log line names the row: " + captured.lines()));
        assertEquals("ERROR", left.path("level").asText());
        assertTrue(left.path("token_key").asText().startsWith("AT#"));
        assertEquals(1, accessTokenRows(), "the row stays only when DynamoDB refused its removal too");
        // AND the log is JSON lines of facts: no stack trace, raw or JSON-escaped, no frame of our code
        for (String line : captured.lines()) {
            assertTrue(Json.MAPPER.readTree(line).isObject(), "not a JSON log line: " + line);
            assertFalse(line.contains("\\tat ") || line.contains("\tat "), "a stack trace in the log: " + line);
            assertFalse(line.contains(".java:") || line.contains("dev.tokenservice."), "a stack frame in the log: " + line);
        }
    }

    @Test
    void aRefusalThatNoRetryCuresIs500WithoutRetryAfter() throws Exception {
        dynamoDb.failNext("GetItem", 1, () -> DynamoDbException.builder().statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .serviceName("DynamoDb").errorCode("AccessDeniedException").errorMessage("not allowed").build())
                .build());

        APIGatewayProxyResponseEvent response = tokenRequest();

        assertEquals(500, response.getStatusCode());
        assertNull(response.getHeaders().get("Retry-After"));
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertEquals("server_error", body.path("error").asText());
        assertFalse(response.getBody().contains("not allowed"), "the service's message is not passed on");
    }

    @Test
    void afterTheFaultsPassTheSameHandlerIssuesAStoredVerifiableToken() throws Exception {
        // KMS first: a request refused for its store returns before its side-by-side Sign has run, and that
        // late Sign would take a failure planned for the next request.
        kms.failNext("Sign", 1, Faults::kmsInternal);
        assertEquals(503, tokenRequest().getStatusCode());
        dynamoDb.failNext("PutItem", 1, Faults::dynamoDbThrottled);
        assertEquals(429, tokenRequest().getStatusCode());

        APIGatewayProxyResponseEvent recovered = tokenRequest();

        assertEquals(200, recovered.getStatusCode(), recovered.getBody());
        SignedJWT jwt = SignedJWT.parse(Json.MAPPER.readTree(recovered.getBody()).path("access_token").asText());
        assertTrue(jwt.verify(services.signingKeys().verifierFor(jwt.getHeader()).orElseThrow()));
        assertTrue(services.tokenRepository().find(TokenKeys.accessToken(jwt.getJWTClaimsSet().getJWTID())).isPresent());
        assertEquals(1, accessTokenRows());
    }

    @Test
    void docSpaceEndpointsAnswerThrottlingInTheirOwnFormat() throws Exception {
        String token = Requests.token(services, "user-1", List.of(ServiceScopes.CLIENTS_WRITE));
        dynamoDb.failNext("BatchGetItem", 1, Faults::dynamoDbThrottled);

        APIGatewayProxyResponseEvent response = new ListScopesHandler(services)
                .handleRequest(Requests.request("GET", "/api/2.0/scopes", "/api/2.0/scopes", token, null), null);

        assertEquals(429, response.getStatusCode());
        assertEquals("1", response.getHeaders().get("Retry-After"));
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertFalse(body.path("reason").asText().isEmpty());
        assertEquals(429, body.path("status").asInt());
        assertNoInternals(response.getBody());
    }

    private APIGatewayProxyResponseEvent tokenRequest() {
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST")
                .withResource("/oauth2/token")
                .withPath("/oauth2/token")
                .withHeaders(Map.of(
                        "Host", "issuer.test",
                        "X-Forwarded-Proto", "https",
                        "Content-Type", "application/x-www-form-urlencoded",
                        "Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                (client.clientId() + ":" + client.secret()).getBytes(StandardCharsets.UTF_8))))
                .withBody("grant_type=client_credentials");
        return handler.handleRequest(event, null);
    }

    private long accessTokenRows() {
        return DynamoDbLocal.shared().client().scan(r -> r.tableName(services.settings().tokensTable()))
                .items().stream()
                .filter(item -> item.get("token_key").s().startsWith("AT#"))
                .count();
    }

    private static void assertDependencyError(APIGatewayProxyResponseEvent response, int status, String retryAfter,
            String error) throws Exception {
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals(retryAfter, response.getHeaders().get("Retry-After"));
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertEquals(error, body.path("error").asText());
        assertFalse(body.path("error_description").asText().isEmpty());
        assertNull(body.get("access_token"), "no token with an error");
        assertNoInternals(response.getBody());
    }

    private static void assertNoInternals(String body) {
        assertFalse(body.contains("Exception"), body);
        assertFalse(body.contains("injected"), body);
        assertFalse(body.contains("dev.tokenservice"), body);
    }

}
