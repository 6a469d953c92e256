package dev.tokenservice.oauth.token;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.http.ApiError;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.TokenSchema;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a container keeps in memory about failing client ids is bounded: a flood of made-up ids cannot grow it
 * without end, and an id it forgot is counted again in its row rather than let through.
 */
class FailedAuthenticationThrottleTest {

    private static final Duration WINDOW = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-08T01:00:00.250Z"));
    private final Services services = TestServices.create(clock);
    private final FailedAuthenticationThrottle throttle = new FailedAuthenticationThrottle(services.tables(), clock, 1,
            WINDOW, "FA", "failed client authentications for this client id", "client authentication slowed down",
            "client_id", 2);

    @Test
    void pastItsBoundTheContainerForgetsTheFailingIdsAndCountsThemInTheirRowsAgain() {
        // GIVEN a client id slowed down after its second failure (limit 1), remembered with its delay
        assertDoesNotThrow(() -> throttle.failed("guessed"));
        assertEquals(429, assertThrows(ApiError.class, () -> throttle.failed("guessed")).status());
        // WHEN it fails again within its delay THEN it is answered from memory: its row counts nothing more
        assertEquals(429, assertThrows(ApiError.class, () -> throttle.failed("guessed")).status());
        assertEquals(2, failuresOf("guessed"));

        // WHEN two more ids fail, filling the memory to its bound of two besides the first THEN it is still remembered
        throttle.failed("other-1");
        throttle.failed("other-2");
        assertEquals(429, assertThrows(ApiError.class, () -> throttle.failed("guessed")).status());
        assertEquals(2, failuresOf("guessed"));

        // WHEN one more id fails past the bound THEN the memory is emptied: the first id's next failure is counted
        // in its row again, and slowed down by that count
        throttle.failed("other-3");
        ApiError counted = assertThrows(ApiError.class, () -> throttle.failed("guessed"));
        assertEquals(429, counted.status());
        assertEquals(3, failuresOf("guessed"));
    }

    @Test
    void aCountingRowLivesAtLeastUntilItsWindowHasEnded() {
        throttle.failed("guessed");

        long ttl = Long.parseLong(row("guessed").get("ttl").n());
        long windowEnds = clock.instant().plus(WINDOW).toEpochMilli();
        // DynamoDB's TTL must not remove the count while its window still runs (it deletes whole seconds at the
        // earliest): its second lies after the window's last millisecond.
        assertTrue(ttl * 1000 > windowEnds, "ttl " + ttl + " ends before the window, " + windowEnds);
    }

    private long failuresOf(String clientId) {
        return Long.parseLong(row(clientId).get("failures").n());
    }

    private Map<String, AttributeValue> row(String clientId) {
        return services.tables().dynamoDb().getItem(r -> r.tableName(services.tables().of(TokenSchema.TABLE).tableName())
                .key(Map.of("token_key", AttributeValue.fromS("FA#" + clientId))).consistentRead(true)).item();
    }
}
