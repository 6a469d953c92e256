package dev.tokenservice.local.gateway;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** A usage plan's quota: at most {@code limit} requests per calendar DAY, WEEK or MONTH (UTC). Kept in memory. */
final class UsageQuota {

    private final long limit;
    private final String period;
    private final Clock clock;
    private LocalDate periodStart;
    private long used;

    UsageQuota(long limit, String period, Clock clock) {
        this.limit = limit;
        this.period = period;
        this.clock = clock;
    }

    synchronized boolean tryUse() {
        LocalDate start = startOfPeriod(LocalDate.now(clock.withZone(ZoneOffset.UTC)));
        if (!start.equals(periodStart)) {
            periodStart = start;
            used = 0;
        }
        if (used >= limit) {
            return false;
        }
        used++;
        return true;
    }

    private LocalDate startOfPeriod(LocalDate today) {
        return switch (period) {
            case "WEEK" -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case "MONTH" -> today.withDayOfMonth(1);
            default -> today;
        };
    }
}
