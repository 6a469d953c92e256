package dev.tokenservice.tokens;

import dev.tokenservice.storage.Tables;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The (subject, client) pair records a Knetik list pages through: one row per pair that holds or held an access
 * token, with the latest issue time and an expiry at or after its last token's (rounded up to the minute). A
 * record is written when its expiry moves to a later minute, or when this container last wrote it more than
 * {@link #REFRESH_MILLIS} ago, never on every token: a machine client asking for thousands of tokens a second
 * writes its pair about once a minute per container (or every REFRESH_MILLIS), not thousands of times. The write
 * is conditional on a later issue time, so racing containers never move a record back. A record's issue time may
 * so lag its newest token by up to REFRESH_MILLIS; a list reads past that lag where a revocation falls inside it
 * (query.LaggingPairs).
 */
public final class TokenPairs {

    /** Expiries are rounded up to this many seconds: a list may show a pair this long after its last token expired. */
    public static final long EXPIRY_STEP_SECONDS = 60;
    /** A token issued this long after this container's last write of its pair moves the pair's issue time on. */
    public static final long REFRESH_MILLIS = 10_000;
    private static final int REMEMBERED = 10_000;

    private final Tables tables;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    public TokenPairs(Tables tables) {
        this.tables = tables;
    }

    private record Written(long expiresAt, long issuedAt) {
    }

    /** Whether storing this access token should also write its pair record. */
    public boolean due(TokenItem token) {
        if (token.getSubject() == null || token.getClientId() == null || token.getIssuedAt() == null
                || token.getExpiresAt() == null) {
            return false;
        }
        Written last = written.get(TokenKeys.tokenPair(token.getSubject(), token.getClientId()));
        return last == null || roundedExpiry(token) > last.expiresAt()
                || token.getIssuedAt() - last.issuedAt() >= REFRESH_MILLIS;
    }

    /**
     * Writes the token's pair record: issue time and expiry each move only forward (an Agilicus token issued later
     * may expire sooner), by a conditional UpdateItem that is retried with the maxima when another writer won.
     */
    public void record(TokenItem token) {
        String key = TokenKeys.tokenPair(token.getSubject(), token.getClientId());
        long issuedAt = token.getIssuedAt();
        long expiresAt = roundedExpiry(token);
        Map<String, AttributeValue> seen = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                write(key, token, issuedAt, expiresAt, seen);
                break;
            } catch (ConditionalCheckFailedException raced) {
                seen = raced.item();
                if (seen == null || !seen.containsKey("issued_at") || !seen.containsKey("expires_at")) {
                    break;
                }
                long storedIssued = Long.parseLong(seen.get("issued_at").n());
                long storedExpires = Long.parseLong(seen.get("expires_at").n());
                if (storedIssued >= issuedAt && storedExpires >= expiresAt) {
                    break; // the stored record already covers this token
                }
                issuedAt = Math.max(issuedAt, storedIssued);
                expiresAt = Math.max(expiresAt, storedExpires);
            }
        }
        if (written.size() >= REMEMBERED) {
            written.clear();
        }
        written.put(key, new Written(expiresAt, token.getIssuedAt()));
    }

    /** One conditional write: on a new record, or over exactly the record last seen (whose values it then covers). */
    private void write(String key, TokenItem token, long issuedAt, long expiresAt, Map<String, AttributeValue> seen) {
        Map<String, AttributeValue> values = new java.util.HashMap<>(Map.of(
                ":kind", AttributeValue.fromS(TokenKeys.TOKEN_PAIR),
                ":sub", AttributeValue.fromS(token.getSubject()),
                ":client", AttributeValue.fromS(token.getClientId()),
                ":shard", AttributeValue.fromS(TokenKeys.pairShard(token.getSubject())),
                ":byUser", AttributeValue.fromS(TokenKeys.pairByUser(token.getSubject(), token.getClientId())),
                ":byClient", AttributeValue.fromS(TokenKeys.pairByClient(token.getSubject(), token.getClientId())),
                ":issued", AttributeValue.fromN(Long.toString(issuedAt)),
                ":expires", AttributeValue.fromN(Long.toString(expiresAt))));
        String condition;
        if (seen == null) {
            condition = "attribute_not_exists(issued_at) OR (issued_at < :issued AND expires_at <= :expires)";
        } else {
            condition = "issued_at = :seenIssued AND expires_at = :seenExpires";
            values.put(":seenIssued", seen.get("issued_at"));
            values.put(":seenExpires", seen.get("expires_at"));
        }
        tables.dynamoDb().updateItem(r -> r.tableName(tables.of(TokenSchema.TABLE).tableName())
                .key(Map.of("token_key", AttributeValue.fromS(key)))
                // The index keys never change once set; if_not_exists keeps a refresh from rewriting them.
                .updateExpression("SET kind = if_not_exists(kind, :kind), subject = if_not_exists(subject, :sub), "
                        + "client_id = if_not_exists(client_id, :client), "
                        + "pair_shard = if_not_exists(pair_shard, :shard), "
                        + "pair_by_user = if_not_exists(pair_by_user, :byUser), "
                        + "pair_by_client = if_not_exists(pair_by_client, :byClient), "
                        + "issued_at = :issued, expires_at = :expires, #ttl = :expires")
                .conditionExpression(condition)
                .returnValuesOnConditionCheckFailure(
                        software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .expressionAttributeNames(Map.of("#ttl", "ttl"))
                .expressionAttributeValues(values));
    }

    private static long roundedExpiry(TokenItem token) {
        return Math.floorDiv(token.getExpiresAt() + EXPIRY_STEP_SECONDS - 1, EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
    }
}
