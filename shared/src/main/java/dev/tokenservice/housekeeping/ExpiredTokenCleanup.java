package dev.tokenservice.housekeeping;

import dev.tokenservice.clients.ConsentCleanup;
import dev.tokenservice.storage.Schemas;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.ExpiryShards;
import dev.tokenservice.tokens.TokenKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Removes what has expired from the tokens table: access tokens, refresh tokens and codes past their expiry,
 * revocation records past the expiry of every token they can cover, and the housekeeping tasks that are
 * due (consents a deleted client left behind). DynamoDB's TTL does the same lazily (within days); this makes
 * it exact, on a schedule.
 *
 * <p>Rows are found on the expiry index, one query per day and shard (no scan), from the first day not yet
 * known to be clean up to the cut-off. Tokens, codes and refresh tokens are never rewritten with a later
 * expiry, so they go in batch deletes of 25 (unprocessed items retried with exponential backoff). Revocation
 * records can be rewritten with a later expiry at any time, so each goes in a delete conditional on its
 * expiry still being past: a revocation is never lost to a race. A run stops early, saying so, before the
 * function's time runs out or after a maximum number of rows; the next run continues where it stopped.
 */
public final class ExpiredTokenCleanup {

    /** The row that remembers from which day on the expiry index may still hold rows (not itself on the index). */
    static final String WATERMARK_KEY = "HK#CLEANUP";
    private static final int BATCH = 25;
    private static final int PAGE = 500;
    private static final int MAX_ROUNDS = 8;

    /**
     * @param grace rows are removed only once expired for this long (clock skew between writers)
     * @param maxItems at most this many rows per run
     * @param safetyMargin stop when less than this much of the invocation's time is left
     * @param lookbackDays days before the cut-off day searched on a first run, when no day is known to be clean
     */
    public record Limits(Duration grace, int maxItems, Duration safetyMargin, int lookbackDays) {
    }

    private final Tables tables;
    private final Clock clock;
    private final Limits limits;
    private final ConsentCleanup consents;

    public ExpiredTokenCleanup(Tables tables, Clock clock, Limits limits) {
        this.tables = tables;
        this.clock = clock;
        this.limits = limits;
        this.consents = new ConsentCleanup(tables);
    }

    /** One run; {@code remainingMillis} is the invocation's time left (Lambda's Context). */
    public CleanupSummary run(LongSupplier remainingMillis) {
        return new Run(remainingMillis).execute();
    }

    /** The state of one run. */
    private final class Run {

        private final long startedNanos = System.nanoTime();
        private final LongSupplier remainingMillis;
        private final DynamoDbClient dynamoDb = tables.dynamoDb();
        private final String table = tables.tokens().tableName();
        private final Map<String, Long> deleted = new LinkedHashMap<>();
        private final List<String> batch = new ArrayList<>();
        private long cutoff;
        private int queries;
        private int retries;
        private long visited;
        private String stoppedBy;

        Run(LongSupplier remainingMillis) {
            this.remainingMillis = remainingMillis;
            for (String kind : CleanupSummary.KINDS) {
                deleted.put(kind, 0L);
            }
        }

        CleanupSummary execute() {
            cutoff = clock.instant().getEpochSecond() - limits.grace().toSeconds();
            LocalDate lastDay = ExpiryShards.day(cutoff);
            LocalDate firstDay = null;
            String failure = null;
            try {
                firstDay = readWatermark().orElse(lastDay.minusDays(limits.lookbackDays()));
                if (firstDay.isAfter(lastDay)) {
                    firstDay = lastDay;
                }
                sweep(firstDay, lastDay);
                flush();
                if (stoppedBy == null) {
                    // Days before yesterday are clean; yesterday is searched once more for late index updates.
                    LocalDate cleanFrom = lastDay.minusDays(1);
                    if (cleanFrom.isAfter(firstDay)) {
                        writeWatermark(cleanFrom);
                    }
                }
            } catch (SdkException dependencyFailure) {
                // DynamoDB throttled or failed beyond the SDK's own retries: the next run continues from here.
                stoppedBy = "dependency failure";
                failure = dependencyFailure.getClass().getSimpleName();
            }
            long durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
            return new CleanupSummary(Map.copyOf(deleted), durationMs, stoppedBy != null, stoppedBy, firstDay, lastDay,
                    queries, retries, failure);
        }

        private void sweep(LocalDate firstDay, LocalDate lastDay) {
            for (LocalDate day = firstDay; !day.isAfter(lastDay); day = day.plusDays(1)) {
                for (String shard : ExpiryShards.ofDay(day)) {
                    Map<String, AttributeValue> start = null;
                    do {
                        if (outOfBudget()) {
                            return;
                        }
                        QueryResponse page = query(shard, start);
                        for (Map<String, AttributeValue> keys : page.items()) {
                            if (outOfBudget()) {
                                return;
                            }
                            visited++;
                            remove(keys.get("token_key").s());
                        }
                        start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                                ? page.lastEvaluatedKey() : null;
                    } while (start != null);
                }
            }
        }

        private QueryResponse query(String shard, Map<String, AttributeValue> start) {
            queries++;
            return dynamoDb.query(r -> r.tableName(table)
                    .indexName(Schemas.TOKENS_BY_EXPIRY)
                    .keyConditionExpression("expiry_shard = :shard AND expires_at < :cutoff")
                    .expressionAttributeValues(Map.of(
                            ":shard", AttributeValue.fromS(shard),
                            ":cutoff", AttributeValue.fromN(Long.toString(cutoff))))
                    .exclusiveStartKey(start)
                    .limit(PAGE));
        }

        private void remove(String tokenKey) {
            String kind = CleanupSummary.kindOf(tokenKey);
            switch (kind) {
                case CleanupSummary.ACCESS_TOKEN, CleanupSummary.REFRESH_TOKEN, CleanupSummary.AUTHORIZATION_CODE -> {
                    batch.add(tokenKey);
                    if (batch.size() == BATCH) {
                        flush();
                    }
                }
                case CleanupSummary.HOUSEKEEPING -> {
                    String prefix = TokenKeys.consentCleanup("");
                    if (tokenKey.startsWith(prefix)) {
                        count(CleanupSummary.CONSENT, consents.deleteConsentsOf(tokenKey.substring(prefix.length())));
                    }
                    if (deleteIfStillExpired(tokenKey)) {
                        count(kind, 1);
                    }
                }
                default -> {
                    // Revocation records and anything this version does not know: only while still expired.
                    if (deleteIfStillExpired(tokenKey)) {
                        count(kind, 1);
                    }
                }
            }
        }

        private boolean deleteIfStillExpired(String tokenKey) {
            try {
                dynamoDb.deleteItem(r -> r.tableName(table)
                        .key(Map.of("token_key", AttributeValue.fromS(tokenKey)))
                        .conditionExpression("expires_at < :cutoff")
                        .expressionAttributeValues(Map.of(":cutoff", AttributeValue.fromN(Long.toString(cutoff)))));
                return true;
            } catch (ConditionalCheckFailedException renewedOrGone) {
                return false;
            }
        }

        /** Deletes the collected keys, retrying what DynamoDB leaves unprocessed with exponential backoff. */
        private void flush() {
            if (batch.isEmpty()) {
                return;
            }
            List<WriteRequest> writes = batch.stream()
                    .map(key -> WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                            .key(Map.of("token_key", AttributeValue.fromS(key))).build()).build())
                    .toList();
            Map<String, List<WriteRequest>> pending = Map.of(table, writes);
            for (int round = 0; round < MAX_ROUNDS && !pending.isEmpty(); round++) {
                if (round > 0) {
                    retries++;
                    pause(round);
                }
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamoDb.batchWriteItem(r -> r.requestItems(request));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
            List<String> left = new ArrayList<>();
            pending.values().forEach(requests -> requests.forEach(
                    w -> left.add(w.deleteRequest().key().get("token_key").s())));
            for (String key : batch) {
                if (!left.contains(key)) {
                    count(CleanupSummary.kindOf(key), 1);
                }
            }
            batch.clear();
            if (!left.isEmpty() && stoppedBy == null) {
                stoppedBy = "unprocessed items";
            }
        }

        private boolean outOfBudget() {
            if (stoppedBy != null) {
                return true;
            }
            if (visited >= limits.maxItems()) {
                stoppedBy = "item limit";
            } else if (remainingMillis.getAsLong() < limits.safetyMargin().toMillis()) {
                stoppedBy = "time limit";
            }
            return stoppedBy != null;
        }

        private void count(String kind, long howMany) {
            deleted.merge(kind, howMany, Long::sum);
        }

        private Optional<LocalDate> readWatermark() {
            Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of("token_key", AttributeValue.fromS(WATERMARK_KEY)))).item();
            return item == null || !item.containsKey("clean_from")
                    ? Optional.empty() : Optional.of(LocalDate.parse(item.get("clean_from").s()));
        }

        private void writeWatermark(LocalDate cleanFrom) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("token_key", AttributeValue.fromS(WATERMARK_KEY));
            item.put("kind", AttributeValue.fromS(TokenKeys.HOUSEKEEPING));
            item.put("clean_from", AttributeValue.fromS(cleanFrom.toString()));
            dynamoDb.putItem(r -> r.tableName(table).item(item));
        }
    }

    private static void pause(int round) {
        try {
            Thread.sleep(Math.min(2000, 50L << round));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
