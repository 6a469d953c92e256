package dev.tokenservice.housekeeping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * The cleanup's mechanics over DynamoDB Local: what it leaves to TTL and what it removes itself, what it says TTL
 * removed, batches, unprocessed items, its bounds, and revocation races. DynamoDB Local has no TTL process; a test
 * that needs one deletes rows itself, as TTL would.
 */
class ExpiredTokenCleanupTest {

    private static final Duration LONG_ENOUGH = Duration.ofMinutes(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2030-06-10T12:00:00Z"));
    private final Faults faults = new Faults();
    private final Services services = TestServices.create(clock, Map.of(), faults, TestServices::rsaKeys);

    @Test
    void aTokenExpiredLessThanTheTtlGraceAgoIsLeftForTtl() {
        // GIVEN tokens that expired two days ago (TTL typically deletes within two days; it has not here)
        issueTokens(2, Duration.ofMinutes(5));
        clock.advance(Duration.ofDays(2));

        // WHEN the cleanup runs as deployed
        CleanupSummary summary = services.expiredTokenCleanup().run(() -> LONG_ENOUGH.toMillis());

        // THEN it writes nothing for them: they are TTL's, which deletes for free
        assertEquals(0, summary.totalDeleted());
        assertEquals(2, accessTokenRows());
    }

    @Test
    void whatTtlLeftBehindPastTheGraceIsRemovedAndALiveTokenNever() {
        // GIVEN three tokens that expired three days and an hour ago, and one still live
        issueTokens(3, Duration.ofMinutes(5));
        String live = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, "live", "live",
                List.of(), List.of(TestServices.ISSUER), Duration.ofDays(4))).jti();
        clock.advance(Duration.ofDays(3).plusHours(1));

        // WHEN the cleanup runs as deployed
        CleanupSummary summary = services.expiredTokenCleanup().run(() -> LONG_ENOUGH.toMillis());

        // THEN the three TTL left behind are gone, the live one stays
        assertEquals(3, summary.deleted(CleanupSummary.ACCESS_TOKEN));
        assertEquals(1, accessTokenRows());
        assertTrue(services.tokenRepository().find(TokenKeys.accessToken(live)).isPresent());
    }

    @Test
    void theSummarySaysWhatTtlRemovedOnceADayIsSettled() {
        // GIVEN a first run, then ten tokens that expire and are counted by the next run
        services.expiredTokenCleanup().run(() -> LONG_ENOUGH.toMillis());
        List<String> jtis = issueTokens(10, Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(15));
        Map<String, Object> counting = services.expiredTokenCleanup().run(() -> LONG_ENOUGH.toMillis()).asMap();
        assertEquals(10L, counting.get("expired_counted"));
        // AND TTL deletes seven of them
        jtis.subList(0, 7).forEach(jti -> services.tokenRepository().delete(TokenKeys.accessToken(jti)));

        // WHEN the cleanup runs once the day of their expiry is past the grace for good
        clock.advance(Duration.ofDays(6));
        Map<String, Object> settled = services.expiredTokenCleanup().run(() -> LONG_ENOUGH.toMillis()).asMap();

        // THEN it removed the three TTL left behind and says TTL removed the other seven
        assertEquals(3L, settled.get("deleted_total"));
        assertEquals("2030-06-10", settled.get("settled_from_day"));
        assertEquals(10L, settled.get("settled_expired"));
        assertEquals(7L, settled.get("settled_removed_by_ttl"));
        assertEquals(3L, settled.get("settled_left_behind_by_ttl"));
        assertEquals(0, accessTokenRows());
    }

    @Test
    void unprocessedItemsAreRetriedUntilEveryExpiredTokenIsGone() {
        issueTokens(60, Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(10));
        faults.leaveHalfUnprocessed(4);

        CleanupSummary summary = cleanup(100_000).run(() -> LONG_ENOUGH.toMillis());

        assertEquals(60, summary.deleted(CleanupSummary.ACCESS_TOKEN));
        assertTrue(summary.unprocessedRetries() >= 4, "retries: " + summary.unprocessedRetries());
        assertFalse(summary.truncated());
        assertEquals(0, accessTokenRows());
    }

    @Test
    void aRunStopsAtItsItemLimitAndTheNextOneFinishes() {
        issueTokens(30, Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(10));

        CleanupSummary first = cleanup(10).run(() -> LONG_ENOUGH.toMillis());
        assertTrue(first.truncated());
        assertEquals("item limit", first.stoppedBy());
        assertEquals(10, first.deleted(CleanupSummary.ACCESS_TOKEN));
        assertEquals(20, accessTokenRows());

        CleanupSummary rest = cleanup(100_000).run(() -> LONG_ENOUGH.toMillis());
        assertFalse(rest.truncated());
        assertEquals(20, rest.deleted(CleanupSummary.ACCESS_TOKEN));
        assertEquals(0, accessTokenRows());
    }

    @Test
    void aRunStopsWhenTheInvocationsTimeRunsLow() {
        issueTokens(5, Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(10));

        CleanupSummary summary = cleanup(100_000).run(() -> 9_000);

        assertTrue(summary.truncated());
        assertEquals("time limit", summary.stoppedBy());
        assertEquals(0, summary.totalDeleted());
        assertEquals(5, accessTokenRows());
    }

    @Test
    void aTokenInsideTheGracePeriodStays() {
        issueTokens(1, Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(5).plusSeconds(30));

        assertEquals(0, cleanup(100_000).run(() -> LONG_ENOUGH.toMillis()).totalDeleted());
        assertEquals(1, accessTokenRows());
    }

    @Test
    void aRevocationRecordRenewedWhileTheCleanupRunsIsKept() {
        // GIVEN a client revocation record past its expiry
        String key = TokenKeys.clientRevocation("client-1");
        services.tokenRepository().recordRevocation(key, clock.millis(), clock.instant().plusSeconds(60).getEpochSecond());
        // (past the grace TTL is given: TTL has left it behind)
        clock.advance(Duration.ofDays(3).plusMinutes(10));
        // AND the client revoked again (a later expiry) between the cleanup's query and its delete
        long renewedUntil = clock.instant().plus(Duration.ofDays(30)).getEpochSecond();
        AtomicBoolean renewed = new AtomicBoolean();
        ExecutionInterceptor renewBeforeDelete = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if ("DeleteItem".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                        && renewed.compareAndSet(false, true)) {
                    services.tokenRepository().recordRevocation(key, clock.millis(), renewedUntil);
                }
            }
        };
        Services racing = new Services(services.settings(), clock,
                () -> new dev.tokenservice.storage.Tables(
                        DynamoDbLocal.clientFor(DynamoDbLocal.shared().endpoint(), renewBeforeDelete), services.settings()),
                TestServices::rsaKeys, services::secretHasher);

        CleanupSummary summary = racing.expiredTokenCleanup().run(() -> LONG_ENOUGH.toMillis());

        // THEN the renewed record stays: a revocation is never lost to the cleanup
        assertTrue(renewed.get());
        assertEquals(0, summary.deleted(CleanupSummary.REVOCATION));
        assertEquals(renewedUntil, services.tokenRepository().find(key).orElseThrow().getExpiresAt());
    }

    @Test
    void aThrottledRunStopsAndSaysSoWithoutMovingItsStartingDay() {
        issueTokens(3, Duration.ofMinutes(5));
        clock.advance(Duration.ofDays(2));
        faults.failNext("Query", 1, Faults::dynamoDbThrottled);

        CleanupSummary failed = cleanup(100_000).run(() -> LONG_ENOUGH.toMillis());
        assertTrue(failed.truncated());
        assertEquals("ProvisionedThroughputExceededException", failed.failure());

        CleanupSummary next = cleanup(100_000).run(() -> LONG_ENOUGH.toMillis());
        assertEquals(3, next.deleted(CleanupSummary.ACCESS_TOKEN));
        assertEquals(failed.fromDay(), next.fromDay());
    }

    private ExpiredTokenCleanup cleanup(int maxItems) {
        return new ExpiredTokenCleanup(services.tables(), clock,
                new ExpiredTokenCleanup.Limits(Duration.ofSeconds(60), Duration.ofSeconds(60), maxItems,
                        Duration.ofSeconds(10), 7));
    }

    /** Issues tokens and returns their jtis. */
    private List<String> issueTokens(int count, Duration ttl) {
        List<String> jtis = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            jtis.add(services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, "svc-" + i,
                    "svc-" + i, List.of(), List.of(TestServices.ISSUER), ttl)).jti());
        }
        return jtis;
    }

    private long accessTokenRows() {
        return DynamoDbLocal.shared().client().scanPaginator(r -> r.tableName(services.settings().tokensTable()))
                .items().stream().filter(item -> item.get("token_key").s().startsWith("AT#")).count();
    }
}
