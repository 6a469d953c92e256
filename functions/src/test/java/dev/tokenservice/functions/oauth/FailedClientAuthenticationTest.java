package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.LogCapture;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices.RegisteredClient;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.TokenSchema;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Repeated failed client authentication for one client id is slowed down (429, Retry-After) while the
 * client holding the right secret is never refused, and the success path costs no extra DynamoDB call.
 */
class FailedClientAuthenticationTest {

    private static final int LIMIT = 3;

    /**
     * Ten seconds into a minute: the pair record is written again when a token's expiry, rounded up to the pair's
     * step, passes the last one written, so a test whose second started just before a step boundary would see one
     * write more (a token a second later crossing it) and fail one run in about sixty.
     */
    private final MutableClock clock = new MutableClock(
            java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(10));
    private final Faults dynamoDb = new Faults();
    private Services services;
    private IssueTokenHandler handler;
    private RegisteredClient client;

    @BeforeEach
    void setUp() {
        services = TestServices.create(clock, Map.of("CLIENT_AUTH_FAILURE_LIMIT", String.valueOf(LIMIT),
                "CLIENT_AUTH_FAILURE_WINDOW_SECONDS", "300"), dynamoDb, TestServices::rsaKeys);
        handler = new IssueTokenHandler(services);
        client = TestServices.registerClient(services, List.of());
    }

    @Test
    void failuresPastTheLimitGet429WithABoundedGrowingRetryAfter() throws Exception {
        for (int i = 0; i < LIMIT; i++) {
            assertEquals(401, request(client.clientId(), "wrong").getStatusCode());
        }

        APIGatewayProxyResponseEvent slowed = request(client.clientId(), "wrong");

        assertEquals(429, slowed.getStatusCode());
        assertEquals("1", slowed.getHeaders().get("Retry-After"));
        JsonNode body = Json.MAPPER.readTree(slowed.getBody());
        assertEquals("invalid_client", body.path("error").asText());
        assertTrue(body.path("error_description").asText().contains("retry after 1 s"));
        // while the delay lasts, failures are answered from memory: no write per request
        int updates = dynamoDb.calls("UpdateItem");
        assertEquals(429, request(client.clientId(), "wrong").getStatusCode());
        assertEquals(updates, dynamoDb.calls("UpdateItem"));

        long previous = 1;
        // 1 + 2 + 4 + ... + 60 + 60 s: still inside the five-minute window
        for (int i = 0; i < 8; i++) {
            clock.advance(Duration.ofSeconds(previous));
            APIGatewayProxyResponseEvent next = request(client.clientId(), "wrong");
            assertEquals(429, next.getStatusCode());
            long delay = Long.parseLong(next.getHeaders().get("Retry-After"));
            assertTrue(delay >= previous && delay <= 60, "delay " + delay + " after " + previous);
            previous = delay;
        }
        assertEquals(60, previous, "the delay stops growing at a minute");
    }

    @Test
    void theLegitimateClientIsNeverLockedOutAndItsSuccessClearsTheCount() throws Exception {
        for (int i = 0; i <= LIMIT; i++) {
            request(client.clientId(), "wrong");
        }
        assertEquals(429, request(client.clientId(), "wrong").getStatusCode());

        assertEquals(200, request(client.clientId(), client.secret()).getStatusCode(), "the right secret always works");

        assertEquals(401, request(client.clientId(), "wrong").getStatusCode(), "the count started again");
    }

    @Test
    void theCountLapsesWithItsWindowAndIsPerClientId() throws Exception {
        RegisteredClient other = TestServices.registerClient(services, List.of());
        for (int i = 0; i <= LIMIT; i++) {
            request(client.clientId(), "wrong");
        }
        assertEquals(401, request(other.clientId(), "wrong").getStatusCode(), "another client id is not affected");

        clock.advance(Duration.ofMinutes(6));

        assertEquals(401, request(client.clientId(), "wrong").getStatusCode());
    }

    @Test
    void unknownClientIdsAreSlowedDownTooSoTheAnswerSaysNothingAboutExistence() {
        for (int i = 0; i < LIMIT; i++) {
            assertEquals(401, request("no-such-client", "x").getStatusCode());
        }
        assertEquals(429, request("no-such-client", "x").getStatusCode());
    }

    @Test
    void theSuccessPathReadsTheClientOncePerCacheBoundAndStoresTheTokenAndNothingElse() {
        // The client's first token also writes its (subject, client) pair record for Knetik lists, once.
        assertEquals(200, request(client.clientId(), client.secret()).getStatusCode());
        int gets = dynamoDb.calls("GetItem");
        int puts = dynamoDb.calls("PutItem");
        int others = dynamoDb.calls("UpdateItem") + dynamoDb.calls("DeleteItem") + dynamoDb.calls("BatchGetItem");

        // Within CLIENT_CACHE_SECONDS (1) the matching secret is answered from the row this container read
        assertEquals(200, request(client.clientId(), client.secret()).getStatusCode());
        assertEquals(gets, dynamoDb.calls("GetItem"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, request(client.clientId(), client.secret()).getStatusCode());

        assertEquals(gets + 1, dynamoDb.calls("GetItem"));
        assertEquals(puts + 2, dynamoDb.calls("PutItem"));
        assertEquals(others, dynamoDb.calls("UpdateItem") + dynamoDb.calls("DeleteItem") + dynamoDb.calls("BatchGetItem"),
                "no failure counter is touched, and the pair record is not written again for every token");
    }

    @Test
    void whileSlowedDownRetryAfterCountsDownTheRemainingSecondsRoundedUp() {
        // GIVEN a client id slowed down for 4 s (the third failure past the limit: 1, 2, then 4 s)
        for (int i = 0; i < LIMIT; i++) {
            request(client.clientId(), "wrong");
        }
        assertEquals("1", request(client.clientId(), "wrong").getHeaders().get("Retry-After"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals("2", request(client.clientId(), "wrong").getHeaders().get("Retry-After"));
        clock.advance(Duration.ofSeconds(2));
        assertEquals("4", request(client.clientId(), "wrong").getHeaders().get("Retry-After"));
        int updates = dynamoDb.calls("UpdateItem");

        // THEN failures inside the delay are told what is left of it, rounded up to a whole second
        clock.advance(Duration.ofMillis(1500));
        assertEquals("3", request(client.clientId(), "wrong").getHeaders().get("Retry-After"));
        clock.advance(Duration.ofMillis(2000));
        assertEquals("1", request(client.clientId(), "wrong").getHeaders().get("Retry-After"));
        assertEquals(updates, dynamoDb.calls("UpdateItem"), "answered from memory");
    }

    @Test
    void anotherClientIdFailingDoesNotLiftASlowDown() {
        RegisteredClient other = TestServices.registerClient(services, List.of());
        for (int i = 0; i <= LIMIT; i++) {
            request(client.clientId(), "wrong");
        }

        assertEquals(401, request(other.clientId(), "wrong").getStatusCode());
        int updates = dynamoDb.calls("UpdateItem");

        assertEquals(429, request(client.clientId(), "wrong").getStatusCode());
        assertEquals(updates, dynamoDb.calls("UpdateItem"), "still answered from memory");
    }

    @Test
    void aSlowDownIsLoggedForOperatorsAndTheCountExpiresWithItsWindow() {
        for (int i = 0; i < LIMIT; i++) {
            request(client.clientId(), "wrong");
        }

        var slowed = LogCapture.during(() -> request(client.clientId(), "wrong"));

        assertEquals(429, slowed.result().getStatusCode());
        JsonNode line = slowed.line("client authentication slowed down");
        assertEquals("WARN", line.path("level").asText());
        assertEquals(client.clientId(), line.path("client_id").asText());
        assertEquals(LIMIT + 1, line.path("failures").asInt());
        assertEquals(1, line.path("retry_after").asInt());
        // the count's row carries a TTL at the end of its five-minute window, so DynamoDB removes it
        long ttl = Long.parseLong(services.tables().dynamoDb().getItem(r -> r.tableName(services.tables().of(TokenSchema.TABLE)
                .tableName()).key(Map.of("token_key", AttributeValue.fromS("FA#" + client.clientId())))
                .consistentRead(true)).item().get("ttl").n());
        long windowEnd = clock.instant().plusSeconds(300).getEpochSecond();
        assertTrue(ttl > windowEnd - 5 && ttl <= windowEnd + 1, "ttl " + ttl + ", window ends " + windowEnd);
    }

    @Test
    void withALimitOfZeroTheFirstFailureIsAlreadySlowedDown() {
        Services strict = TestServices.create(clock, Map.of("CLIENT_AUTH_FAILURE_LIMIT", "0"), dynamoDb,
                TestServices::rsaKeys);
        RegisteredClient strictClient = TestServices.registerClient(strict, List.of());

        APIGatewayProxyResponseEvent first = new IssueTokenHandler(strict).handleRequest(
                event(strictClient.clientId(), "wrong"), null);

        assertEquals(429, first.getStatusCode());
        assertEquals(200, new IssueTokenHandler(strict).handleRequest(
                event(strictClient.clientId(), strictClient.secret()), null).getStatusCode());
    }

    @Test
    void whenTheCountCannotBeClearedTheTokenIsIssuedAnywayAndTheFailureLogged() {
        request(client.clientId(), "wrong");
        dynamoDb.failNext("DeleteItem", 1, Faults::dynamoDbUnavailable);

        var success = LogCapture.during(() -> request(client.clientId(), client.secret()));

        assertEquals(200, success.result().getStatusCode());
        assertEquals(client.clientId(), success.line("failure count not cleared").path("client_id").asText());
    }

    private APIGatewayProxyResponseEvent request(String clientId, String secret) {
        return handler.handleRequest(event(clientId, secret), null);
    }

    private static APIGatewayProxyRequestEvent event(String clientId, String secret) {
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST").withResource("/oauth2/token").withPath("/oauth2/token")
                .withHeaders(Map.of("Host", "issuer.test", "X-Forwarded-Proto", "https",
                        "Content-Type", "application/x-www-form-urlencoded",
                        "Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8))))
                .withBody("grant_type=client_credentials");
    }
}
