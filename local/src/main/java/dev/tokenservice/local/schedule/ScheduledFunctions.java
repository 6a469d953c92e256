package dev.tokenservice.local.schedule;

import com.amazonaws.services.lambda.runtime.Context;
import dev.tokenservice.local.failure.Failures;
import dev.tokenservice.local.lambda.LocalLambdaContext;
import dev.tokenservice.local.lambda.RuntimeHandler;
import dev.tokenservice.local.template.FunctionDefinition;
import dev.tokenservice.local.template.ScheduledEvent;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the template's scheduled functions (ScheduleV2 events) on their schedules, as EventBridge Scheduler
 * would: the handler made once as the Lambda runtime makes it, then invoked with the schedule's Input at
 * every firing, one invocation of a function at a time. {@code --schedule-every} replaces every schedule by a fixed, shorter period.
 */
public final class ScheduledFunctions implements AutoCloseable {

    private final ScheduledExecutorService timer;
    private final PrintStream log;
    private final Clock clock;

    private ScheduledFunctions(PrintStream log, Clock clock) {
        this.log = log;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "local-schedules");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static ScheduledFunctions start(List<ScheduledEvent> events, Duration every, PrintStream log, Clock clock) {
        ScheduledFunctions scheduled = new ScheduledFunctions(log, clock);
        for (ScheduledEvent event : events) {
            Schedule schedule = every != null ? Schedule.every(every) : Schedule.parse(event.expression());
            Invocation invocation = new Invocation(event, RuntimeHandler.load(event.function()), schedule, clock.instant());
            log.printf("  %-42s -> %s (%s)%n", "schedule " + event.eventName(), event.function().logicalId(), schedule);
            scheduled.arm(invocation);
        }
        return scheduled;
    }

    private void arm(Invocation invocation) {
        Instant now = clock.instant();
        Instant next = invocation.schedule.next(invocation.start, now);
        timer.schedule(() -> {
            invocation.run(log);
            arm(invocation);
        }, Math.max(0, Duration.between(now, next).toMillis()), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static final class Invocation {
        private final ScheduledEvent event;
        private final RuntimeHandler handler;
        private final Schedule schedule;
        private final Instant start;

        Invocation(ScheduledEvent event, RuntimeHandler handler, Schedule schedule, Instant start) {
            this.event = event;
            this.handler = handler;
            this.schedule = schedule;
            this.start = start;
        }

        void run(PrintStream log) {
            long started = System.nanoTime();
            FunctionDefinition function = event.function();
            Context context = new LocalLambdaContext(function, UUID.randomUUID().toString(), System.currentTimeMillis());
            String input = event.input() == null ? "{}" : event.input();
            try {
                handler.invoke(input.getBytes(StandardCharsets.UTF_8), context);
                log.printf("schedule %s -> %s done (%d ms)%n", event.eventName(), function.logicalId(),
                        (System.nanoTime() - started) / 1_000_000);
            } catch (Exception | LinkageError failed) {
                log.printf("schedule %s -> %s failed: %s%n", event.eventName(), function.logicalId(),
                        Failures.describe(failed));
            }
        }
    }
}
