package dev.tokenservice.oauth.token;

import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Log;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenSchema;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Slows down repeated failed client authentication for one client id. Failures are counted per client id in
 * a small row of the tokens table (one conditional update per failure, a fixed window, removed by TTL). Past
 * the limit, each further failure is answered 429 with a Retry-After that doubles up to a minute, instead of
 * 401: a caller guessing or replaying a wrong secret is told to wait, and answered without a second look.
 *
 * <p>Only failures are slowed down: a request with the right secret is never refused, so whoever knows a
 * client id (it is public) cannot lock the legitimate client out by failing on purpose, and the success path
 * costs no read. A success after failures seen by this container clears the count.
 */
public final class FailedAuthenticationThrottle {

    public static final Duration MAX_DELAY = Duration.ofSeconds(60);
    /** Client ids a container remembers as failing; past that it forgets them all rather than grow. */
    private static final int MAX_REMEMBERED = 10_000;

    private static final ThreadLocal<Boolean> UNCOUNTED = ThreadLocal.withInitial(() -> false);

    private final Tables tables;
    private final Clock clock;
    private final int limit;
    private final Duration window;
    /** The counting rows' kind and key prefix, and what is counted, as the 429 names it. */
    private final String kind;
    private final String counted;
    /** The log line of a slow-down, and the field naming the id in it (null: the id is not logged). */
    private final String logEvent;
    private final String idField;
    private final int maxRemembered;
    /** Client ids this container saw failing, with the epoch millisecond until which failures get 429. */
    private final Map<String, Long> recentlyFailing = new ConcurrentHashMap<>();

    public FailedAuthenticationThrottle(Tables tables, Clock clock, int limit, Duration window) {
        this(tables, clock, limit, window, "FA", "failed client authentications for this client id",
                "client authentication slowed down", "client_id");
    }

    /**
     * The same slow-down for another kind of failure (wrong user codes per person at the device verification
     * page), counted in rows of its own kind.
     */
    public FailedAuthenticationThrottle(Tables tables, Clock clock, int limit, Duration window, String kind,
            String counted, String logEvent, String idField) {
        this(tables, clock, limit, window, kind, counted, logEvent, idField, MAX_REMEMBERED);
    }

    /** As above, remembering at most {@code maxRemembered} failing ids (tests use a small bound). */
    FailedAuthenticationThrottle(Tables tables, Clock clock, int limit, Duration window, String kind,
            String counted, String logEvent, String idField, int maxRemembered) {
        this.maxRemembered = maxRemembered;
        this.tables = tables;
        this.clock = clock;
        this.limit = limit;
        this.window = window;
        this.kind = kind;
        this.counted = counted;
        this.logEvent = logEvent;
        this.idField = idField;
    }

    private String key(String id) {
        return kind + "#" + id;
    }

    /**
     * Counts a failed authentication of the client id; throws 429 (invalid_client, Retry-After) once the id
     * has failed more than the limit within the window, and returns otherwise (the caller answers 401).
     */
    public void failed(String clientId) {
        if (UNCOUNTED.get()) {
            return;
        }
        long now = clock.millis();
        Long blockedUntil = recentlyFailing.get(clientId);
        if (blockedUntil != null && blockedUntil > now) {
            // Already slowed down: answered from memory, no write per hammering request.
            throw slowDown(Math.max(1, (blockedUntil - now + 999) / 1000));
        }
        long failures = count(clientId, now);
        if (recentlyFailing.size() > maxRemembered) {
            recentlyFailing.clear();
        }
        if (failures <= limit) {
            recentlyFailing.put(clientId, 0L);
            return;
        }
        long delay = Math.min(MAX_DELAY.toSeconds(), 1L << Math.min(30, failures - limit - 1));
        recentlyFailing.put(clientId, now + delay * 1000);
        if (idField != null) {
            Log.warn(logEvent, idField, clientId, "failures", failures, "retry_after", delay);
        } else {
            Log.warn(logEvent, "failures", failures, "retry_after", delay);
        }
        throw slowDown(delay);
    }

    /**
     * Counts an attempt that is slowed down whether it succeeds or not (a person typing user codes, where a right
     * guess must not be told apart from a wrong one once past the limit): 429 past the limit, as {@link #failed}.
     */
    public void attempted(String id) {
        failed(id);
    }

    /**
     * Runs SnapStart priming traffic: the failed authentications it makes on purpose are refused as usual but
     * neither counted nor remembered, so priming writes nothing and cannot slow down a real client id.
     */
    public void withoutCounting(Runnable priming) {
        UNCOUNTED.set(true);
        try {
            priming.run();
        } finally {
            UNCOUNTED.remove();
        }
    }

    /** A successful authentication: clears the count when this container saw the id failing. */
    public void succeeded(String clientId) {
        if (recentlyFailing.remove(clientId) != null) {
            try {
                tables.dynamoDb().deleteItem(r -> r.tableName(tables.of(TokenSchema.TABLE).tableName())
                        .key(Map.of("token_key", AttributeValue.fromS(key(clientId)))));
            } catch (RuntimeException notCleared) {
                // The count lapses with its window anyway; the token is issued regardless.
                Log.warn("failure count not cleared", "client_id", clientId,
                        "exception", notCleared.getClass().getSimpleName());
            }
        }
    }

    /** Adds one failure in the current window, or starts a new window; returns the failures in the window. */
    private long count(String clientId, long nowMillis) {
        String table = tables.of(TokenSchema.TABLE).tableName();
        long windowFloor = nowMillis - window.toMillis();
        long ttl = (nowMillis + window.toMillis()) / 1000 + 1;
        try {
            return Long.parseLong(tables.dynamoDb().updateItem(r -> r.tableName(table)
                    .key(Map.of("token_key", AttributeValue.fromS(key(clientId))))
                    .updateExpression("ADD failures :one SET #kind = :kind")
                    .conditionExpression("window_start > :floor")
                    .expressionAttributeNames(Map.of("#kind", "kind"))
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                            ":kind", AttributeValue.fromS(kind),
                            ":floor", AttributeValue.fromN(Long.toString(windowFloor))))
                    .returnValues(ReturnValue.UPDATED_NEW)).attributes().get("failures").n());
        } catch (ConditionalCheckFailedException noCurrentWindow) {
            tables.dynamoDb().putItem(r -> r.tableName(table).item(Map.of(
                    "token_key", AttributeValue.fromS(key(clientId)),
                    "kind", AttributeValue.fromS(kind),
                    "failures", AttributeValue.fromN("1"),
                    "window_start", AttributeValue.fromN(Long.toString(nowMillis)),
                    "ttl", AttributeValue.fromN(Long.toString(ttl)))));
            return 1;
        }
    }

    private ApiError slowDown(long seconds) {
        return new ApiError(429, "invalid_client", "too many " + counted + "; retry after " + seconds + " s",
                Map.of("Retry-After", Long.toString(seconds)));
    }
}
