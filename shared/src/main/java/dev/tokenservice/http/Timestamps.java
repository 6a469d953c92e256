package dev.tokenservice.http;

import static java.time.temporal.ChronoField.OFFSET_SECONDS;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps as stored and sent: UTC, millisecond precision, fixed width, so that their string order is
 * their time order (they are index sort keys) and a cursor a client sends back maps to the same string.
 */
public final class Timestamps {

    private static final DateTimeFormatter STORED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** ISO-8601 with or without offset, with "+00:00" or "+0000" (what the DocSpace SDK sends), naive = UTC. */
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .parseDefaulting(OFFSET_SECONDS, 0)
            .toFormatter();

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return STORED.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    /** Parses a query parameter, naming it in the 400 when it is not a date-time. */
    public static Instant parse(String field, String value) {
        try {
            return OffsetDateTime.parse(value.trim(), LENIENT).toInstant();
        } catch (DateTimeParseException e) {
            throw JsonBody.invalid(field + ": must be an ISO-8601 date-time, e.g. 2025-07-01T10:00:00Z");
        }
    }
}
