package dev.tokenservice.caching;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The one bounded exception to "every read that decides access is strongly consistent": a client's row, and the
 * revocation record covering all of its tokens, as this container last read them, answered for at most
 * {@code maxAge} (CLIENT_CACHE_SECONDS). One per container; a busy client then costs one read of its row per
 * container per maxAge instead of one per token.
 *
 * <p>A row is answered from here only when the request would be granted by it (the caller's predicate: the presented
 * secret matches the cached hash and the client is enabled), so a new secret works at once. Anything else (a
 * mismatch, a disabled or unknown client) reads the row consistently again, at most {@link #REREADS_PER_SECOND}
 * times per client per second (a fixed window): beyond that, the request is answered from the row as last read,
 * which refuses it, so a flood of wrong secrets cannot hammer the row. Every read refreshes the entry, so the old
 * secret, a deactivation or a deletion bites within maxAge. The revocation record is cached as read (present or
 * absent, whatever its content): a record only ever revokes more, so a cached one never grants what a fresh one
 * would refuse for longer than maxAge.
 *
 * <p>It is generic in the row ({@code R}, the client item) and the record ({@code V}, the token item), so that both the
 * client and the token repositories can use it while neither package depends on the other through it.
 *
 * <p>At most {@link #MAX_CLIENTS} clients are remembered, the least recently used forgotten first. {@link #clear}
 * empties it before a SnapStart snapshot, so that no restored container starts with rows read before it.
 */
public final class ClientCache<R, V> {

    /** Consistent re-reads of one client's row per second beyond the one a stale or missing entry costs. */
    public static final int REREADS_PER_SECOND = 2;
    public static final int MAX_CLIENTS = 10_000;

    private final Clock clock;
    private final long maxAgeMillis;
    private final Map<String, Entry<R, V>> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry<R, V>> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    public ClientCache(Clock clock, Duration maxAge) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("CLIENT_CACHE_SECONDS must not be negative");
        }
        this.clock = clock;
        this.maxAgeMillis = maxAge.toMillis();
    }

    /** No cache: every row and record is read consistently (CLIENT_CACHE_SECONDS = 0). */
    public static <R, V> ClientCache<R, V> alwaysConsistent() {
        return new ClientCache<>(Clock.systemUTC(), Duration.ZERO);
    }

    /**
     * What one request learns of a value without reading it: either the value as last read ({@link #readDue} false),
     * or that it must be read consistently now and the result handed back to the cache with this answer.
     */
    public record Answer<T>(boolean readDue, Optional<T> cached, long decidedAtMillis) {
    }

    /** The client's row for a request that the predicate says the row would grant, or a read that is due now. */
    public synchronized Answer<R> row(String clientId, Predicate<R> grants) {
        long now = clock.millis();
        Entry<R, V> entry = maxAgeMillis == 0 ? null : entries.get(clientId);
        if (entry == null || entry.row == null || now - entry.rowReadAt >= maxAgeMillis) {
            return new Answer<>(true, Optional.empty(), now);
        }
        if (entry.row.isPresent() && grants.test(entry.row.get())) {
            return new Answer<>(false, entry.row, now);
        }
        long second = Math.floorDiv(now, 1000);
        if (entry.rereadSecond != second) {
            entry.rereadSecond = second;
            entry.rereads = 0;
        }
        if (entry.rereads < REREADS_PER_SECOND) {
            entry.rereads++;
            return new Answer<>(true, Optional.empty(), now);
        }
        return new Answer<>(false, entry.row, now);
    }

    /** The row as read consistently after {@link #row} said a read was due. */
    public synchronized void rowRead(String clientId, Optional<R> row, Answer<R> answer) {
        if (maxAgeMillis == 0) {
            return;
        }
        Entry<R, V> entry = entries.computeIfAbsent(clientId, id -> new Entry<>());
        if (entry.row == null || answer.decidedAtMillis() >= entry.rowReadAt) {
            entry.row = row;
            entry.rowReadAt = answer.decidedAtMillis();
        }
    }

    /** The revocation record covering every token of the client, as last read within maxAge, or a read due now. */
    public synchronized Answer<V> clientRevocation(String clientId) {
        long now = clock.millis();
        Entry<R, V> entry = maxAgeMillis == 0 ? null : entries.get(clientId);
        if (entry == null || entry.revocation == null || now - entry.revocationReadAt >= maxAgeMillis) {
            return new Answer<>(true, Optional.empty(), now);
        }
        return new Answer<>(false, entry.revocation, now);
    }

    /** The client's revocation record (or its absence) as read consistently. */
    public synchronized void clientRevocationRead(String clientId, Optional<V> record,
            Answer<V> answer) {
        if (maxAgeMillis == 0) {
            return;
        }
        Entry<R, V> entry = entries.computeIfAbsent(clientId, id -> new Entry<>());
        if (entry.revocation == null || answer.decidedAtMillis() >= entry.revocationReadAt) {
            entry.revocation = record;
            entry.revocationReadAt = answer.decidedAtMillis();
        }
    }

    /** Forgets everything (before a SnapStart snapshot, and after a restore). */
    public synchronized void clear() {
        entries.clear();
    }

    /** How many clients are remembered. */
    public synchronized int size() {
        return entries.size();
    }

    /** What this container last read of one client; null fields were never read. */
    private static final class Entry<R, V> {
        Optional<R> row;
        long rowReadAt;
        Optional<V> revocation;
        long revocationReadAt;
        long rereadSecond = Long.MIN_VALUE;
        int rereads;
    }
}
