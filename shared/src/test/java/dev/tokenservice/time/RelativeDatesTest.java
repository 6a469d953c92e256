package dev.tokenservice.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.http.ApiError;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RelativeDatesTest {

    private static final Instant NOW = Instant.parse("2024-03-10T15:30:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "now                        | 2024-03-10T15:30:00Z",
        "Now                        | 2024-03-10T15:30:00Z",
        "today                      | 2024-03-10T00:00:00Z",
        "yesterday                  | 2024-03-09T00:00:00Z",
        "tomorrow                   | 2024-03-11T00:00:00Z",
        "2 hours ago                | 2024-03-10T13:30:00Z",
        "an hour ago                | 2024-03-10T14:30:00Z",
        "1 day 6 hours ago          | 2024-03-09T09:30:00Z",
        "1 day, 30 minutes ago      | 2024-03-09T15:00:00Z",
        "in 3 days                  | 2024-03-13T15:30:00Z",
        "90 minutes from now        | 2024-03-10T17:00:00Z",
        "2 weeks ago                | 2024-02-25T15:30:00Z",
        "1 month ago                | 2024-02-10T15:30:00Z",
        "-2h                        | 2024-03-10T13:30:00Z",
        "+3d                        | 2024-03-13T15:30:00Z",
        "2020-07-29                 | 2020-07-29T00:00:00Z",
        "2020-07-29T12:00:00+00:00  | 2020-07-29T12:00:00Z",
        "2020-07-29T12:00:00+02:00  | 2020-07-29T10:00:00Z",
        "2020-07-29T12:00:00+0200   | 2020-07-29T10:00:00Z",
        "2020-07-29T12:00:00.250Z   | 2020-07-29T12:00:00.250Z",
        "2020-07-29 12:00:00        | 2020-07-29T12:00:00Z",
        "2020-07-29T12:00           | 2020-07-29T12:00:00Z",
        "1596024000                 | 2020-07-29T12:00:00Z",
        "1596024000000              | 2020-07-29T12:00:00Z",
    })
    void readsAbsoluteAndRelativeDates(String text, String expected) {
        assertEquals(Instant.parse(expected), RelativeDates.parse("iat_from", text, NOW));
    }

    @ParameterizedTest
    @CsvSource({"soon", "2 fortnights ago", "in", "ago", "2020-13-45", "hours ago 2", "12 o'clock"})
    void refusesWhatIsNoDateNamingTheField(String text) {
        ApiError error = assertThrows(ApiError.class, () -> RelativeDates.parse("exp_to", text, NOW));
        assertEquals(400, error.status());
        assertTrue(error.description().startsWith("exp_to: "), error.description());
    }

    /** Found while describing iat_from for schemathesis: amounts past a long or past the calendar's end were a 500, not a 400. */
    @ParameterizedTest
    @CsvSource({"-99999999999999999999h", "in 99999999999999999999 days", "-9999999999999h", "+999999999y",
        "+9999y", "20000 years ago", "+99999-01-01T00:00:00Z"})
    void refusesDatesOutOfRangeAsA400NamingTheField(String text) {
        ApiError error = assertThrows(ApiError.class, () -> RelativeDates.parse("iat_from", text, NOW));
        assertEquals(400, error.status());
        assertTrue(error.description().startsWith("iat_from: "), error.description());
        assertTrue(error.description().contains("out of range"), error.description());
    }

    @Test
    void writesPythonIsoformatWithAnExplicitUtcOffset() {
        assertEquals("2020-07-29T12:00:00+00:00", RelativeDates.isoSeconds(Instant.parse("2020-07-29T12:00:00.999Z")));
    }
}
