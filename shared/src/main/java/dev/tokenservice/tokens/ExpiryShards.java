package dev.tokenservice.tokens;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The partition key of the tokens table's expiry index: the UTC day a row may go plus one of a few shards,
 * so that no day is one hot partition. Every row that must eventually be removed (tokens, codes, revocation
 * records, housekeeping tasks) carries expires_at (epoch seconds) and this shard, which is how the scheduled
 * cleanup finds it with queries instead of a scan. For a revocation record, expires_at is the moment the
 * last token it can cover has expired; for a housekeeping task, the moment it is due.
 *
 * <p>Housekeeping tasks have a partition of their own per day ({@link #TASK_SHARD}): the cleanup looks for due
 * tasks on every run, and must not read a day's expired tokens to find them (those are left to TTL).
 */
public final class ExpiryShards {

    public static final int SHARDS = 16;

    /** The shard suffix of a day's housekeeping tasks. */
    public static final String TASK_SHARD = "task";

    private ExpiryShards() {
    }

    public static String of(long expiresAtEpochSecond, String tokenKey) {
        return day(expiresAtEpochSecond) + "#" + Math.floorMod(tokenKey.hashCode(), SHARDS);
    }

    /** Every shard of one day, tasks included: the partitions the cleanup sweeps for what TTL left behind. */
    public static List<String> ofDay(LocalDate day) {
        List<String> shards = new ArrayList<>(tokenShardsOfDay(day));
        shards.add(taskShard(day));
        return shards;
    }

    /** The shards of one day that hold rows TTL deletes (tokens, codes, revocation records). */
    public static List<String> tokenShardsOfDay(LocalDate day) {
        List<String> shards = new ArrayList<>(SHARDS);
        for (int shard = 0; shard < SHARDS; shard++) {
            shards.add(day + "#" + shard);
        }
        return shards;
    }

    public static String taskShard(LocalDate day) {
        return day + "#" + TASK_SHARD;
    }

    public static LocalDate day(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** expires_at and expiry_shard for a row written as raw attributes (inside a transaction). */
    public static Map<String, AttributeValue> attributes(long expiresAtEpochSecond, String tokenKey) {
        return Map.of(
                "expires_at", AttributeValue.fromN(Long.toString(expiresAtEpochSecond)),
                "expiry_shard", AttributeValue.fromS(of(expiresAtEpochSecond, tokenKey)));
    }

    /** expires_at (the moment it is due) and the task shard for a housekeeping task. */
    public static Map<String, AttributeValue> taskAttributes(long dueEpochSecond) {
        return Map.of(
                "expires_at", AttributeValue.fromN(Long.toString(dueEpochSecond)),
                "expiry_shard", AttributeValue.fromS(taskShard(day(dueEpochSecond))));
    }
}
