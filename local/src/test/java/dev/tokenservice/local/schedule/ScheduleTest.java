package dev.tokenservice.local.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenservice.local.template.TemplateException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The schedule expressions the local runner understands, and a clear refusal of the others. */
class ScheduleTest {

    private static final Instant START = Instant.parse("2030-01-01T10:00:00Z");

    @Test
    void rateFiresEveryPeriodCountedFromTheStart() {
        Schedule every15 = Schedule.parse("rate(15 minutes)");

        assertEquals(Instant.parse("2030-01-01T10:15:00Z"), every15.next(START, START));
        assertEquals(Instant.parse("2030-01-01T10:30:00Z"), every15.next(START, Instant.parse("2030-01-01T10:15:00Z")));
        assertEquals(Instant.parse("2030-01-01T12:00:00Z"), Schedule.parse("rate(1 hour)").next(START, Instant.parse("2030-01-01T11:30:00Z")));
        assertEquals(Instant.parse("2030-01-03T10:00:00Z"), Schedule.parse("rate(2 days)").next(START, START));
    }

    @Test
    void cronFiresAtTheNextMatchingMinuteInUtc() {
        assertEquals(Instant.parse("2030-01-01T10:15:00Z"), Schedule.parse("cron(*/15 * * * ? *)").next(START, START));
        assertEquals(Instant.parse("2030-01-02T03:30:00Z"), Schedule.parse("cron(30 3 * * ? *)").next(START, START));
        assertEquals(Instant.parse("2030-02-01T00:05:00Z"), Schedule.parse("cron(5 0 1 2-3 ? *)").next(START, START));
    }

    @Test
    void whatTheRunnerCannotRunIsRefusedNamingTheExpression() {
        for (String unsupported : new String[] {"at(2030-01-01T00:00:00)", "rate(0 minutes)", "rate(5 seconds)",
            "cron(0 12 ? * MON-FRI *)", "cron(0 12 * *)", "cron(61 * * * ? *)"}) {
            TemplateException refused = assertThrows(TemplateException.class, () -> Schedule.parse(unsupported));
            assertEquals(true, refused.getMessage().contains(unsupported.substring(0, 4)), refused.getMessage());
        }
    }
}
