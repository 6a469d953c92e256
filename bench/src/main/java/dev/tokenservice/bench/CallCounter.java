package dev.tokenservice.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts every AWS SDK call in the JVM (registered as a global interceptor through the classpath), with
 * start and end times, so a benchmark can tell how many calls a request made and how many ran in sequence.
 */
public final class CallCounter implements ExecutionInterceptor {

    private static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Long> STARTED = new ThreadLocal<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        STARTED.set(System.nanoTime());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        record(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        record(attributes);
    }

    private static void record(ExecutionAttributes attributes) {
        Long start = STARTED.get();
        CALLS.add(new Call(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                start == null ? System.nanoTime() : start, System.nanoTime()));
    }

    public static List<Call> drain() {
        List<Call> calls = List.copyOf(CALLS);
        CALLS.clear();
        return calls;
    }

    /** The longest chain of calls that did not overlap: the round trips a caller waits for one after another. */
    public static int sequentialRoundTrips(List<Call> calls) {
        List<Call> sorted = calls.stream().sorted((a, b) -> Long.compare(a.startNanos(), b.startNanos())).toList();
        int chain = 0;
        long lastEnd = Long.MIN_VALUE;
        for (Call call : sorted) {
            if (call.startNanos() >= lastEnd) {
                chain++;
                lastEnd = call.endNanos();
            } else {
                lastEnd = Math.max(lastEnd, call.endNanos());
            }
        }
        return chain;
    }

    public record Call(String operation, long startNanos, long endNanos) {
    }
}
