package dev.tokenservice.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs in a fresh JVM and does what the Lambda Java runtime does on a cold start: loads the handler class,
 * constructs it (the init phase), turns the event JSON into an APIGatewayProxyRequestEvent with the runtime's own
 * serialisation library, invokes the handler and serialises the response. Then it invokes the same event WARM
 * more times. Prints one JSON line of numbers; asserts nothing.
 *
 * <p>Usage: ColdStart HANDLER_CLASS EVENT_FILE WARM_RUNS. The launch time comes from BENCH_LAUNCH_US (epoch
 * microseconds, taken by the shell just before it started this JVM), so JVM boot and class loading count.
 */
public final class ColdStart {

    public static void main(String[] args) throws Exception {
        long launchMicros = Long.parseLong(System.getenv("BENCH_LAUNCH_US"));
        String handlerClass = args[0];
        byte[] eventJson = Files.readAllBytes(Path.of(args[1]));
        int warmRuns = Integer.parseInt(args[2]);
        long mainMicros = epochMicros();

        long initStart = System.nanoTime();
        @SuppressWarnings("unchecked")
        var handler = (RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>)
                Class.forName(handlerClass).getDeclaredConstructor().newInstance();
        long initNanos = System.nanoTime() - initStart;
        var initCalls = CallCounter.drain();
        // BENCH_PRIME=1: run the SnapStart priming hooks after init, as Lambda does before the snapshot; the first
        // invoke then shows what a request right after a restore would cost (restore time itself not included).
        long primeNanos = 0;
        List<CallCounter.Call> primeCalls = List.of();
        if ("1".equals(System.getenv("BENCH_PRIME"))) {
            long primeStart = System.nanoTime();
            Prime.beforeCheckpoint();
            primeNanos = System.nanoTime() - primeStart;
            primeCalls = CallCounter.drain();
        }

        long invokeStart = System.nanoTime();
        ClassLoader loader = ColdStart.class.getClassLoader();
        PojoSerializer<APIGatewayProxyRequestEvent> in =
                LambdaEventSerializers.serializerFor(APIGatewayProxyRequestEvent.class, loader);
        PojoSerializer<APIGatewayProxyResponseEvent> out =
                LambdaEventSerializers.serializerFor(APIGatewayProxyResponseEvent.class, loader);
        APIGatewayProxyResponseEvent first = handler.handleRequest(in.fromJson(new ByteArrayInputStream(eventJson)), null);
        ByteArrayOutputStream firstBytes = new ByteArrayOutputStream();
        out.toJson(first, firstBytes);
        long firstResponseMicros = epochMicros();
        long firstInvokeNanos = System.nanoTime() - invokeStart;
        var firstCalls = CallCounter.drain();
        int status = first.getStatusCode();
        if (status >= 400) {
            System.err.println(handlerClass + " answered " + status + ": " + first.getBody());
        }

        long[] warm = new long[warmRuns];
        // Process CPU (every thread: handler, JIT compilers, GC) over the warm requests, per request: what the
        // compilation level changes beside the handler's own time, on a machine whose wall clock is noisy.
        var os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long warmCpuStart = os.getProcessCpuTime();
        List<String> warmCalls = List.of();
        int warmSequential = 0;
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < warmRuns; i++) {
            long start = System.nanoTime();
            var response = handler.handleRequest(in.fromJson(new ByteArrayInputStream(eventJson)), null);
            out.toJson(response, new ByteArrayOutputStream());
            warm[i] = System.nanoTime() - start;
            var calls = CallCounter.drain();
            warmCalls = calls.stream().map(CallCounter.Call::operation).toList();
            warmSequential = CallCounter.sequentialRoundTrips(calls);
            if (!statuses.contains(response.getStatusCode())) {
                statuses.add(response.getStatusCode());
            }
        }
        long warmCpuNanos = os.getProcessCpuTime() - warmCpuStart;
        Arrays.sort(warm);
        // One more request, untimed, for what DynamoDB charges per request (capacity units incl. index writes).
        CallCounter.measureCapacity(true);
        handler.handleRequest(in.fromJson(new ByteArrayInputStream(eventJson)), null);
        CallCounter.measureCapacity(false);
        var measured = CallCounter.drain();
        String units = String.join(" ", measured.stream()
                .map(call -> call.operation() + "=" + call.capacityUnits()).toList());
        // Where the units went (table, each index), for the capacity model's per-partition arithmetic.
        java.util.Map<String, Double> targets = new java.util.TreeMap<>();
        measured.forEach(call -> call.targets().forEach((target, u) -> targets.merge(
                call.operation() + " " + target, u, Double::sum)));
        String unitTargets = String.join(" ", targets.entrySet().stream()
                .map(e -> e.getKey().replace(' ', ':') + "=" + e.getValue()).toList());

        System.out.printf("{\"handler\":\"%s\",\"status\":%d,\"warm_statuses\":\"%s\",\"jvm_to_first_response_ms\":%.1f,"
                        + "\"jvm_to_main_ms\":%.1f,\"handler_init_ms\":%.1f,\"priming_ms\":%.1f,\"priming_aws_calls\":\"%s\","
                        + "\"first_invoke_ms\":%.1f,"
                        + "\"init_aws_calls\":\"%s\",\"first_request_aws_calls\":\"%s\",\"first_request_sequential\":%d,"
                        + "\"warm_aws_calls\":\"%s\",\"warm_aws_calls_per_request\":%d,\"warm_sequential_round_trips\":%d,"
                        + "\"warm_capacity_units\":\"%s\",\"warm_capacity_targets\":\"%s\",\"warm_p50_ms\":%.2f,\"warm_p99_ms\":%.2f,\"warm_cpu_ms\":%.2f}%n",
                handlerClass.substring(handlerClass.lastIndexOf('.') + 1), status, statuses,
                (firstResponseMicros - launchMicros) / 1e3, (mainMicros - launchMicros) / 1e3,
                initNanos / 1e6, primeNanos / 1e6, names(primeCalls), firstInvokeNanos / 1e6,
                names(initCalls), names(firstCalls), CallCounter.sequentialRoundTrips(firstCalls),
                String.join(" ", warmCalls), warmCalls.size(), warmSequential, units, unitTargets,
                warmRuns == 0 ? 0 : warm[warmRuns / 2] / 1e6, warmRuns == 0 ? 0 : warm[Math.min(warmRuns - 1, warmRuns * 99 / 100)] / 1e6,
                warmRuns == 0 ? 0 : warmCpuNanos / 1e6 / warmRuns);
        System.exit(0);
    }

    private static long epochMicros() {
        var now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static String names(List<CallCounter.Call> calls) {
        return String.join(" ", calls.stream().map(CallCounter.Call::operation).toList());
    }
}
