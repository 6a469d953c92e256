package dev.tokenservice.time;

import dev.tokenservice.http.JsonBody;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the free-text dates that the Agilicus list filters accept ("search criteria ... using dateparser"):
 * absolute dates and date-times (ISO-8601 with "T" or a space, offset "Z", "+02:00" or "+0200", none = UTC),
 * epoch seconds or milliseconds, and relative expressions against a clock: "now", "today", "yesterday",
 * "tomorrow", "2 hours ago", "in 3 days", "1 day 6 hours ago", "an hour ago", "90 minutes from now",
 * "-2h", "+3d". Anything else is a 400 that names the field.
 */
public final class RelativeDates {

    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
            .toFormatter(Locale.ROOT);

    private static final DateTimeFormatter ISO_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private static final Pattern PART = Pattern.compile("(\\d+|an?|one)\\s*([a-z]+)");
    private static final Pattern SIGNED = Pattern.compile("([+-])\\s*(\\d+)\\s*([a-z]+)");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,13}");

    private static final Map<String, ChronoUnit> UNITS = Map.ofEntries(
            Map.entry("s", ChronoUnit.SECONDS), Map.entry("sec", ChronoUnit.SECONDS), Map.entry("secs", ChronoUnit.SECONDS),
            Map.entry("second", ChronoUnit.SECONDS), Map.entry("seconds", ChronoUnit.SECONDS),
            Map.entry("m", ChronoUnit.MINUTES), Map.entry("min", ChronoUnit.MINUTES), Map.entry("mins", ChronoUnit.MINUTES),
            Map.entry("minute", ChronoUnit.MINUTES), Map.entry("minutes", ChronoUnit.MINUTES),
            Map.entry("h", ChronoUnit.HOURS), Map.entry("hr", ChronoUnit.HOURS), Map.entry("hrs", ChronoUnit.HOURS),
            Map.entry("hour", ChronoUnit.HOURS), Map.entry("hours", ChronoUnit.HOURS),
            Map.entry("d", ChronoUnit.DAYS), Map.entry("day", ChronoUnit.DAYS), Map.entry("days", ChronoUnit.DAYS),
            Map.entry("w", ChronoUnit.WEEKS), Map.entry("week", ChronoUnit.WEEKS), Map.entry("weeks", ChronoUnit.WEEKS),
            Map.entry("mo", ChronoUnit.MONTHS), Map.entry("month", ChronoUnit.MONTHS), Map.entry("months", ChronoUnit.MONTHS),
            Map.entry("y", ChronoUnit.YEARS), Map.entry("yr", ChronoUnit.YEARS), Map.entry("yrs", ChronoUnit.YEARS),
            Map.entry("year", ChronoUnit.YEARS), Map.entry("years", ChronoUnit.YEARS));

    private RelativeDates() {
    }

    /** The instant the text means, relative to {@code now}; 400 naming {@code field} if it means none. */
    public static Instant parse(String field, String text, Instant now) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (value.isEmpty()) {
            throw unreadable(field, text);
        }
        ZonedDateTime utcNow = now.atZone(ZoneOffset.UTC);
        switch (value) {
            case "now":
                return now;
            case "today":
                return utcNow.truncatedTo(ChronoUnit.DAYS).toInstant();
            case "yesterday":
                return utcNow.truncatedTo(ChronoUnit.DAYS).minusDays(1).toInstant();
            case "tomorrow":
                return utcNow.truncatedTo(ChronoUnit.DAYS).plusDays(1).toInstant();
            default:
                break;
        }
        if (NUMBER.matcher(value).matches()) {
            long number = Long.parseLong(value);
            return value.length() > 10 ? Instant.ofEpochMilli(number) : Instant.ofEpochSecond(number);
        }
        Instant absolute = absolute(text.trim());
        if (absolute != null) {
            return inRange(field, text, absolute);
        }
        Instant relative;
        try {
            relative = relative(value, utcNow);
        } catch (NumberFormatException | DateTimeException | ArithmeticException tooFar) {
            // An amount past a long, or a shift past the calendar's end: a date no token can have.
            throw outOfRange(field, text);
        }
        if (relative != null) {
            return inRange(field, text, relative);
        }
        throw unreadable(field, text);
    }

    /** Dates from year 0000 to 9999, so that every one has an epoch-millisecond value to compare with. */
    private static Instant inRange(String field, String text, Instant instant) {
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw outOfRange(field, text);
        }
        return instant;
    }

    private static RuntimeException outOfRange(String field, String text) {
        return JsonBody.invalid(field + ": '" + text + "' is out of range; dates must lie in the years 0000 to 9999");
    }

    private static Instant absolute(String text) {
        String normalized = text.length() > 10 && text.charAt(10) == ' '
                ? text.substring(0, 10) + "T" + text.substring(11) : text;
        try {
            if (normalized.length() == 10) {
                return LocalDate.parse(normalized).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(normalized.replace(" ", ""), DATE_TIME).toInstant();
        } catch (DateTimeParseException notAbsolute) {
            return null;
        }
    }

    private static Instant relative(String value, ZonedDateTime now) {
        Matcher signed = SIGNED.matcher(value);
        if (signed.matches()) {
            ChronoUnit unit = UNITS.get(signed.group(3));
            if (unit == null) {
                return null;
            }
            long amount = Long.parseLong(signed.group(2));
            return shift(now, unit, signed.group(1).equals("-") ? -amount : amount).toInstant();
        }
        int direction;
        String body;
        if (value.endsWith(" ago")) {
            direction = -1;
            body = value.substring(0, value.length() - 4);
        } else if (value.endsWith(" from now")) {
            direction = 1;
            body = value.substring(0, value.length() - 9);
        } else if (value.startsWith("in ")) {
            direction = 1;
            body = value.substring(3);
        } else {
            return null;
        }
        body = body.replace(",", " ").replace(" and ", " ").trim();
        Matcher part = PART.matcher(body);
        ZonedDateTime result = now;
        int end = 0;
        boolean any = false;
        while (part.find()) {
            if (!body.substring(end, part.start()).isBlank()) {
                return null;
            }
            ChronoUnit unit = UNITS.get(part.group(2));
            if (unit == null) {
                return null;
            }
            String count = part.group(1);
            long amount = count.chars().allMatch(Character::isDigit) ? Long.parseLong(count) : 1;
            result = shift(result, unit, direction * amount);
            end = part.end();
            any = true;
        }
        return any && body.substring(end).isBlank() ? result.toInstant() : null;
    }

    private static ZonedDateTime shift(ZonedDateTime from, ChronoUnit unit, long amount) {
        return from.plus(amount, unit);
    }

    private static RuntimeException unreadable(String field, String text) {
        return JsonBody.invalid(field + ": cannot read '" + text + "' as a date; use an ISO-8601 date or date-time "
                + "(2020-07-29T12:00:00+00:00) or a relative expression such as '2 hours ago' or 'in 3 days'");
    }

    /** Python isoformat() of a UTC instant, as the Agilicus token's iat and exp strings: 2020-07-29T12:00:00+00:00. */
    public static String isoSeconds(Instant instant) {
        return ISO_SECONDS.format(instant) + "+00:00";
    }
}
