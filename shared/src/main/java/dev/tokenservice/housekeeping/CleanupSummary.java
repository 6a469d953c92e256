package dev.tokenservice.housekeeping;

import dev.tokenservice.tokens.TokenKeys;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one cleanup run did: rows deleted by kind (what TTL left behind past its grace, and due housekeeping
 * tasks), what TTL removed, how long it took, and whether it stopped early (and why), written as one JSON log
 * line so that a metric filter or Logs Insights can follow it.
 */
public record CleanupSummary(Map<String, Long> deleted, long durationMs, boolean truncated, String stoppedBy,
        LocalDate fromDay, LocalDate toDay, int queries, int unprocessedRetries, String failure, Ttl ttl) {

    /**
     * @param graceSeconds how long after its expiry a row is left to TTL
     * @param expiredCounted rows this run counted as expired since the previous run (kept per day of expiry)
     * @param settled the days of expiry no run sweeps again, and what became of their rows
     */
    public record Ttl(long graceSeconds, long expiredCounted, Settled settled) {
    }

    /**
     * Days of expiry from {@code firstDay} to {@code lastDay} (those with a count): {@code expired} rows counted as
     * they expired, {@code leftBehind} of them removed by the cleanup past the grace; the rest TTL removed.
     */
    public record Settled(LocalDate firstDay, LocalDate lastDay, long expired, long leftBehind) {
        public static final Settled NONE = new Settled(null, null, 0, 0);

        public long removedByTtl() {
            return expired - leftBehind;
        }
    }

    public static final String ACCESS_TOKEN = "access_token";
    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String AUTHORIZATION_CODE = "authorization_code";
    public static final String REVOCATION = "revocation";
    public static final String CONSENT = "consent";
    public static final String HOUSEKEEPING = "housekeeping";
    public static final String OTHER = "other";
    static final List<String> KINDS =
            List.of(ACCESS_TOKEN, REFRESH_TOKEN, AUTHORIZATION_CODE, REVOCATION, CONSENT, HOUSEKEEPING, OTHER);

    static String kindOf(String tokenKey) {
        int hash = tokenKey.indexOf('#');
        String prefix = hash < 0 ? tokenKey : tokenKey.substring(0, hash);
        return switch (prefix) {
            case TokenKeys.ACCESS_TOKEN -> ACCESS_TOKEN;
            case TokenKeys.REFRESH_TOKEN -> REFRESH_TOKEN;
            case TokenKeys.AUTHORIZATION_CODE -> AUTHORIZATION_CODE;
            case TokenKeys.REVOCATION -> REVOCATION;
            case TokenKeys.HOUSEKEEPING -> HOUSEKEEPING;
            default -> OTHER;
        };
    }

    public long deleted(String kind) {
        return deleted.getOrDefault(kind, 0L);
    }

    public long totalDeleted() {
        return deleted.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The fields of the summary log line, in a stable order. */
    public Object[] logFields() {
        Map<String, Long> ordered = new LinkedHashMap<>();
        KINDS.forEach(kind -> ordered.put(kind, deleted(kind)));
        return new Object[] {
            "event", "cleanup",
            "deleted", ordered,
            "deleted_total", totalDeleted(),
            "duration_ms", durationMs,
            "truncated", truncated,
            "stopped_by", stoppedBy,
            "from_day", fromDay == null ? null : fromDay.toString(),
            "to_day", toDay == null ? null : toDay.toString(),
            "queries", queries,
            "unprocessed_retries", unprocessedRetries,
            "failure", failure,
            "ttl_grace_seconds", ttl.graceSeconds(),
            "expired_counted", ttl.expiredCounted(),
            "settled_from_day", ttl.settled().firstDay() == null ? null : ttl.settled().firstDay().toString(),
            "settled_to_day", ttl.settled().lastDay() == null ? null : ttl.settled().lastDay().toString(),
            "settled_expired", ttl.settled().expired(),
            "settled_removed_by_ttl", ttl.settled().removedByTtl(),
            "settled_left_behind_by_ttl", ttl.settled().leftBehind()};
    }

    /** The same as a map, the scheduled function's result. */
    public Map<String, Object> asMap() {
        Object[] fields = logFields();
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            map.put((String) fields[i], fields[i + 1]);
        }
        return map;
    }
}
