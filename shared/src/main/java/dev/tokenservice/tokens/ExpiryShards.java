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
 */
public final class ExpiryShards {

    public static final int SHARDS = 16;

    private ExpiryShards() {
    }

    public static String of(long expiresAtEpochSecond, String tokenKey) {
        return day(expiresAtEpochSecond) + "#" + Math.floorMod(tokenKey.hashCode(), SHARDS);
    }

    /** Every shard of one day, the partitions the cleanup queries for it. */
    public static List<String> ofDay(LocalDate day) {
        List<String> shards = new ArrayList<>(SHARDS);
        for (int shard = 0; shard < SHARDS; shard++) {
            shards.add(day + "#" + shard);
        }
        return shards;
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
}
