package dev.tokenservice.housekeeping;

import dev.tokenservice.clients.ConsentCleanup;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.ExpiryShards;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Removes from the tokens table what DynamoDB's TTL has left behind, and runs the housekeeping tasks that are due
 * (consents a deleted client left behind). Every token, code, refresh token and revocation record carries a ttl
 * attribute equal to its expiry, and TTL deletes it for free, typically within two days of its expiry (AWS,
 * "UpdateTimeToLive" API reference). So this only removes rows that are still there {@link Limits#ttlGrace()}
 * after their expiry: rows TTL is late with, and rows TTL cannot delete (written without a ttl attribute, or with a
 * ttl TTL ignores). In the common case it finds nothing past the grace and costs no write per token.
 *
 * <p>What TTL cannot express is done here on time: a housekeeping task is work due at its expires_at, not a
 * deletion, so due tasks are looked for on every run in their own partition of the expiry index.
 *
 * <p>So that its summary can say what TTL removed, each run counts (Select COUNT, no item read) the rows that
 * expired since the previous run, per day of expiry. Once a day is past the grace and swept for the last time, the
 * summary settles it: counted at expiry, removed here (left behind by TTL), and the difference, removed by TTL. A
 * row TTL deletes within minutes of its expiry, before a run has counted it, is counted by neither side, so the
 * TTL figure is a lower bound.
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
     * @param grace a housekeeping task is run once it has been due for this long (clock skew between writers)
     * @param ttlGrace a row TTL deletes is removed here only once it has been expired for this long
     * @param maxItems at most this many rows per run
     * @param safetyMargin stop when less than this much of the invocation's time is left
     * @param lookbackDays days before the cut-off day searched on a first run, when no day is known to be clean
     */
    public record Limits(Duration grace, Duration ttlGrace, int maxItems, Duration safetyMargin, int lookbackDays) {
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
        private final String table = tables.of(TokenSchema.TABLE).tableName();
        private final Map<String, Long> deleted = new LinkedHashMap<>();
        /** Keys waiting for a batch delete, with where they were found. */
        private final Map<String, Expired> batch = new LinkedHashMap<>();
        private long now;
        private long dueCutoff;
        private long ttlCutoff;
        private Watermark mark;
        private long expiredCounted;
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
            now = clock.instant().getEpochSecond();
            dueCutoff = now - limits.grace().toSeconds();
            ttlCutoff = now - limits.ttlGrace().toSeconds();
            LocalDate lastDay = ExpiryShards.day(ttlCutoff);
            LocalDate firstDay = null;
            String failure = null;
            CleanupSummary.Settled settled = CleanupSummary.Settled.NONE;
            try {
                mark = readWatermark();
                firstDay = mark.cleanFrom() == null ? lastDay.minusDays(limits.lookbackDays()) : mark.cleanFrom();
                if (firstDay.isAfter(lastDay)) {
                    firstDay = lastDay;
                }
                runDueTasks(lastDay, ExpiryShards.day(dueCutoff));
                sweep(firstDay, lastDay);
                flush();
                LocalDate cleanFrom = firstDay;
                if (stoppedBy == null) {
                    countExpiredSinceLastRun();
                    // Days before yesterday are clean; yesterday is searched once more for late index updates.
                    if (lastDay.minusDays(1).isAfter(firstDay)) {
                        cleanFrom = lastDay.minusDays(1);
                    }
                }
                settled = settleDaysBefore(cleanFrom);
                writeWatermark(cleanFrom);
            } catch (SdkException dependencyFailure) {
                // DynamoDB throttled or failed beyond the SDK's own retries: the next run continues from here.
                stoppedBy = "dependency failure";
                failure = dependencyFailure.getClass().getSimpleName();
                settled = CleanupSummary.Settled.NONE;
            }
            long durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
            return new CleanupSummary(Map.copyOf(deleted), durationMs, stoppedBy != null, stoppedBy, firstDay, lastDay,
                    queries, retries, failure, new CleanupSummary.Ttl(limits.ttlGrace().toSeconds(), expiredCounted,
                            settled));
        }

        /** Tasks due (past the clock-skew grace) on the days not yet covered by the sweep past the TTL grace. */
        private void runDueTasks(LocalDate fromDay, LocalDate toDay) {
            for (LocalDate day = fromDay; !day.isAfter(toDay); day = day.plusDays(1)) {
                if (!drain(ExpiryShards.taskShard(day), dueCutoff, null)) {
                    return;
                }
            }
        }

        /** Whatever is still there past the TTL grace: TTL left it behind, or could not delete it. */
        private void sweep(LocalDate firstDay, LocalDate lastDay) {
            for (LocalDate day = firstDay; !day.isAfter(lastDay); day = day.plusDays(1)) {
                for (String shard : ExpiryShards.ofDay(day)) {
                    if (!drain(shard, ttlCutoff, day)) {
                        return;
                    }
                }
            }
        }

        /** Removes every row of one shard that expired before the cut-off; false when the run must stop. */
        private boolean drain(String shard, long cutoff, LocalDate tallyDay) {
            Map<String, AttributeValue> start = null;
            do {
                if (outOfBudget()) {
                    return false;
                }
                QueryResponse page = query(shard, cutoff, start);
                for (Map<String, AttributeValue> keys : page.items()) {
                    if (outOfBudget()) {
                        return false;
                    }
                    visited++;
                    remove(keys.get("token_key").s(), Long.parseLong(keys.get("expires_at").n()), cutoff, tallyDay);
                }
                start = next(page);
            } while (start != null);
            return true;
        }

        private QueryResponse query(String shard, long cutoff, Map<String, AttributeValue> start) {
            queries++;
            return dynamoDb.query(r -> r.tableName(table)
                    .indexName(TokenSchema.TOKENS_BY_EXPIRY)
                    .keyConditionExpression("expiry_shard = :shard AND expires_at < :cutoff")
                    .expressionAttributeValues(Map.of(
                            ":shard", AttributeValue.fromS(shard),
                            ":cutoff", AttributeValue.fromN(Long.toString(cutoff))))
                    .exclusiveStartKey(start)
                    .limit(PAGE));
        }

        private void remove(String tokenKey, long expiresAt, long cutoff, LocalDate tallyDay) {
            Expired row = new Expired(tallyDay, expiresAt);
            String kind = CleanupSummary.kindOf(tokenKey);
            switch (kind) {
                case CleanupSummary.ACCESS_TOKEN, CleanupSummary.REFRESH_TOKEN, CleanupSummary.AUTHORIZATION_CODE -> {
                    batch.put(tokenKey, row);
                    if (batch.size() == BATCH) {
                        flush();
                    }
                }
                case CleanupSummary.HOUSEKEEPING -> {
                    String prefix = TokenKeys.consentCleanup("");
                    if (tokenKey.startsWith(prefix)) {
                        count(CleanupSummary.CONSENT, consents.deleteConsentsOf(tokenKey.substring(prefix.length())));
                    }
                    if (deleteIfStillExpired(tokenKey, cutoff)) {
                        count(kind, 1);
                    }
                }
                default -> {
                    // Revocation records and anything this version does not know: only while still expired.
                    if (deleteIfStillExpired(tokenKey, cutoff)) {
                        count(kind, 1);
                        leftBehindByTtl(row);
                    }
                }
            }
        }

        private boolean deleteIfStillExpired(String tokenKey, long cutoff) {
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
            List<WriteRequest> writes = batch.keySet().stream()
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
            batch.forEach((key, row) -> {
                if (!left.contains(key)) {
                    count(CleanupSummary.kindOf(key), 1);
                    leftBehindByTtl(row);
                }
            });
            batch.clear();
            if (!left.isEmpty() && stoppedBy == null) {
                stoppedBy = "unprocessed items";
            }
        }

        /**
         * Counts, per day of expiry, the rows that expired since the last run (every token shard of each day the
         * window touches; tasks are not TTL's). A day's tally covers its rows from the moment counting began on that
         * day (the first run's moment, for the day of a first run), and only rows from then on are set against it
         * when the cleanup removes them. Counts are kept only when the whole window was counted.
         */
        private void countExpiredSinceLastRun() {
            if (mark.countedTo() == null || mark.countedTo() >= now) {
                mark = mark.countedUpTo(now, mark.tallies());
                return;
            }
            long from = mark.countedTo();
            Map<LocalDate, Tally> tallies = new TreeMap<>(mark.tallies());
            long counted = 0;
            for (LocalDate day = ExpiryShards.day(from); !day.isAfter(ExpiryShards.day(now - 1)); day = day.plusDays(1)) {
                long ofDay = 0;
                for (String shard : ExpiryShards.tokenShardsOfDay(day)) {
                    Map<String, AttributeValue> start = null;
                    do {
                        if (outOfBudget()) {
                            return; // counted again, whole, by the next run
                        }
                        queries++;
                        Map<String, AttributeValue> page = start;
                        QueryResponse response = dynamoDb.query(r -> r.tableName(table)
                                .indexName(TokenSchema.TOKENS_BY_EXPIRY)
                                .select(Select.COUNT)
                                .keyConditionExpression("expiry_shard = :shard AND expires_at BETWEEN :from AND :to")
                                .expressionAttributeValues(Map.of(
                                        ":shard", AttributeValue.fromS(shard),
                                        ":from", AttributeValue.fromN(Long.toString(from)),
                                        ":to", AttributeValue.fromN(Long.toString(now - 1))))
                                .exclusiveStartKey(page));
                        ofDay += response.count();
                        start = next(response);
                    } while (start != null);
                }
                counted += ofDay;
                long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
                tallies.merge(day, new Tally(Math.max(from, dayStart), ofDay, 0), Tally::plus);
            }
            expiredCounted = counted;
            mark = mark.countedUpTo(now, tallies);
        }

        private void leftBehindByTtl(Expired row) {
            Tally tally = row.day() == null ? null : mark.tallies().get(row.day());
            if (tally != null && row.expiresAt() >= tally.countedFrom()) {
                Map<LocalDate, Tally> tallies = new TreeMap<>(mark.tallies());
                tallies.put(row.day(), tally.plus(new Tally(tally.countedFrom(), 0, 1)));
                mark = mark.countedUpTo(mark.countedTo(), tallies);
            }
        }

        /** Days no run sweeps again: their tallies become the summary's account of what TTL removed. */
        private CleanupSummary.Settled settleDaysBefore(LocalDate cleanFrom) {
            Map<LocalDate, Tally> open = new TreeMap<>();
            LocalDate first = null;
            LocalDate last = null;
            long expired = 0;
            long leftBehind = 0;
            for (Map.Entry<LocalDate, Tally> entry : mark.tallies().entrySet()) {
                if (entry.getKey().isBefore(cleanFrom)) {
                    first = first == null ? entry.getKey() : first;
                    last = entry.getKey();
                    expired += entry.getValue().expired();
                    leftBehind += entry.getValue().leftBehind();
                } else {
                    open.put(entry.getKey(), entry.getValue());
                }
            }
            mark = mark.countedUpTo(mark.countedTo(), open);
            return first == null ? CleanupSummary.Settled.NONE
                    : new CleanupSummary.Settled(first, last, expired, leftBehind);
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

        private Watermark readWatermark() {
            Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of("token_key", AttributeValue.fromS(WATERMARK_KEY)))).item();
            if (item == null || item.isEmpty()) {
                return new Watermark(null, null, Map.of());
            }
            LocalDate cleanFrom = item.containsKey("clean_from") ? LocalDate.parse(item.get("clean_from").s()) : null;
            Long countedTo = item.containsKey("counted_to") ? Long.valueOf(item.get("counted_to").n()) : null;
            Map<LocalDate, Tally> tallies = new TreeMap<>();
            if (item.containsKey("expired_by_day")) {
                item.get("expired_by_day").m().forEach((day, tally) -> tallies.put(LocalDate.parse(day), new Tally(
                        Long.parseLong(tally.m().get("counted_from").n()), Long.parseLong(tally.m().get("expired").n()),
                        Long.parseLong(tally.m().get("left_behind").n()))));
            }
            return new Watermark(cleanFrom, countedTo, tallies);
        }

        private void writeWatermark(LocalDate cleanFrom) {
            Map<String, AttributeValue> tallies = new HashMap<>();
            mark.tallies().forEach((day, tally) -> tallies.put(day.toString(), AttributeValue.fromM(Map.of(
                    "counted_from", AttributeValue.fromN(Long.toString(tally.countedFrom())),
                    "expired", AttributeValue.fromN(Long.toString(tally.expired())),
                    "left_behind", AttributeValue.fromN(Long.toString(tally.leftBehind()))))));
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("token_key", AttributeValue.fromS(WATERMARK_KEY));
            item.put("kind", AttributeValue.fromS(TokenKeys.HOUSEKEEPING));
            item.put("clean_from", AttributeValue.fromS(cleanFrom.toString()));
            if (mark.countedTo() != null) {
                item.put("counted_to", AttributeValue.fromN(Long.toString(mark.countedTo())));
            }
            item.put("expired_by_day", AttributeValue.fromM(tallies));
            dynamoDb.putItem(r -> r.tableName(table).item(item));
        }
    }

    private static Map<String, AttributeValue> next(QueryResponse page) {
        return page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    }

    /**
     * Rows of one day of expiry, from {@code countedFrom} on: counted as they expired, and removed here because TTL
     * had not.
     */
    record Tally(long countedFrom, long expired, long leftBehind) {
        Tally plus(Tally other) {
            return new Tally(Math.min(countedFrom, other.countedFrom), expired + other.expired,
                    leftBehind + other.leftBehind);
        }
    }

    /** A row the sweep found: the day whose tally it may join (null for a task), and its expiry. */
    private record Expired(LocalDate day, long expiresAt) {
    }

    /**
     * The cleanup's own row: from which day on the expiry index may still hold rows, up to when expired rows have
     * been counted, and the tallies of the days not yet settled.
     */
    record Watermark(LocalDate cleanFrom, Long countedTo, Map<LocalDate, Tally> tallies) {
        Watermark countedUpTo(Long upTo, Map<LocalDate, Tally> newTallies) {
            return new Watermark(cleanFrom, upTo, new TreeMap<>(newTallies));
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
