package dev.tokenservice.local.schedule;

import dev.tokenservice.local.template.TemplateException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge Scheduler expression, for the local runner: {@code rate(value unit)} and
 * {@code cron(minutes hours day-of-month month day-of-week year)} in UTC. The cron subset is what
 * schedules usually use: numbers, ranges, lists, {@code *}, {@code ?} and {@code /step} in the minute,
 * hour, day-of-month and month fields; {@code *} or {@code ?} for day-of-week and year.
 */
public final class Schedule {

    private static final Pattern RATE = Pattern.compile(
            "rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CRON = Pattern.compile("cron\\((.*)\\)", Pattern.CASE_INSENSITIVE);

    private final String expression;
    private final Duration rate;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;

    private Schedule(String expression, Duration rate, BitSet minutes, BitSet hours, BitSet days, BitSet months) {
        this.expression = expression;
        this.rate = rate;
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.months = months;
    }

    public static Schedule parse(String expression) {
        String text = expression.trim();
        Matcher rate = RATE.matcher(text);
        if (rate.matches()) {
            long value = Long.parseLong(rate.group(1));
            if (value <= 0) {
                throw new TemplateException("the schedule " + expression + " needs a positive rate");
            }
            String unit = rate.group(2).toLowerCase(Locale.ROOT);
            Duration period = unit.startsWith("minute") ? Duration.ofMinutes(value)
                    : unit.startsWith("hour") ? Duration.ofHours(value) : Duration.ofDays(value);
            return new Schedule(text, period, null, null, null, null);
        }
        Matcher cron = CRON.matcher(text);
        if (cron.matches()) {
            String[] fields = cron.group(1).trim().split("\\s+");
            if (fields.length != 6) {
                throw new TemplateException("the schedule " + expression + " needs 6 cron fields");
            }
            for (int i : new int[] {4, 5}) {
                if (!fields[i].equals("*") && !fields[i].equals("?")) {
                    throw new TemplateException("the local runner supports only * or ? as day-of-week and year in "
                            + expression);
                }
            }
            return new Schedule(text, null, field(fields[0], 0, 59, expression), field(fields[1], 0, 23, expression),
                    field(fields[2], 1, 31, expression), field(fields[3], 1, 12, expression));
        }
        throw new TemplateException("the local runner cannot run the schedule " + expression
                + " (it supports rate(...) and cron(...))");
    }

    /** A fixed period that replaces the template's schedule (the runner's --schedule-every). */
    static Schedule every(Duration period) {
        return new Schedule("every " + period.toSeconds() + " s (--schedule-every)", period, null, null, null, null);
    }

    /** The first time after {@code after} at which the schedule fires; a rate counts from {@code start}. */
    Instant next(Instant start, Instant after) {
        if (rate != null) {
            long periods = Math.max(0, Duration.between(start, after).toMillis() / rate.toMillis()) + 1;
            return start.plus(rate.multipliedBy(periods));
        }
        ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        for (int i = 0; i < 366 * 24 * 60; i++) {
            if (months.get(t.getMonthValue()) && days.get(t.getDayOfMonth()) && hours.get(t.getHour())
                    && minutes.get(t.getMinute())) {
                return t.toInstant();
            }
            t = t.plusMinutes(1);
        }
        throw new TemplateException("the schedule " + expression + " never fires");
    }

    @Override
    public String toString() {
        return expression;
    }

    private static BitSet field(String text, int min, int max, String expression) {
        BitSet values = new BitSet(max + 1);
        for (String part : text.split(",")) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, max, expression);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                from = number(range.substring(0, range.indexOf('-')), min, max, expression);
                to = number(range.substring(range.indexOf('-') + 1), min, max, expression);
            } else {
                from = number(range, min, max, expression);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                values.set(v);
            }
        }
        return values;
    }

    private static int number(String text, int min, int max, String expression) {
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new TemplateException("the local runner cannot read '" + text + "' in the schedule " + expression);
        }
    }
}
