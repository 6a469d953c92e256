package dev.tokenservice.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenservice.functions.oauth.IssueTokenHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs in a fresh JVM: builds the token handler the way Lambda does (production constructor, settings from
 * the environment), answers one token request, then a few warm ones, and prints one JSON line of numbers.
 */
public final class ColdStart {

    public static void main(String[] args) throws Exception {
        // The process start as the OS saw it, so JVM boot and class loading count too.
        long jvmStart = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        String clientId = args[1];
        String secret = args[2];
        APIGatewayProxyRequestEvent event = new ObjectMapper()
                .readValue(Files.readString(Path.of(args[0])), APIGatewayProxyRequestEvent.class);
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        event.setHeaders(headers);
        event.setMultiValueHeaders(null);

        long initStart = System.nanoTime();
        IssueTokenHandler handler = new IssueTokenHandler();
        long initNanos = System.nanoTime() - initStart;
        var initCalls = CallCounter.drain();

        long invokeStart = System.nanoTime();
        int status = handler.handleRequest(event, null).getStatusCode();
        long firstInvokeNanos = System.nanoTime() - invokeStart;
        long jvmToFirstResponse = System.currentTimeMillis() - jvmStart;
        var firstCalls = CallCounter.drain();
        if (status != 200) {
            throw new IllegalStateException("token request failed with " + status);
        }

        int warmRuns = 50;
        long[] warm = new long[warmRuns];
        int warmCalls = 0;
        int warmSequential = 0;
        for (int i = 0; i < warmRuns; i++) {
            long start = System.nanoTime();
            handler.handleRequest(event, null);
            warm[i] = System.nanoTime() - start;
            var calls = CallCounter.drain();
            warmCalls = calls.size();
            warmSequential = CallCounter.sequentialRoundTrips(calls);
        }
        java.util.Arrays.sort(warm);

        System.out.printf("{\"jvm_to_first_token_ms\":%d,\"handler_init_ms\":%.1f,\"first_invoke_ms\":%.1f,"
                        + "\"init_aws_calls\":\"%s\",\"first_request_aws_calls\":\"%s\","
                        + "\"warm_aws_calls_per_request\":%d,\"warm_sequential_round_trips\":%d,"
                        + "\"warm_p50_ms\":%.2f,\"warm_p99_ms\":%.2f}%n",
                jvmToFirstResponse, initNanos / 1e6, firstInvokeNanos / 1e6,
                names(initCalls), names(firstCalls), warmCalls, warmSequential,
                warm[warmRuns / 2] / 1e6, warm[warmRuns * 99 / 100] / 1e6);
        System.exit(0);
    }

    private static String names(java.util.List<CallCounter.Call> calls) {
        return String.join(" ", calls.stream().map(CallCounter.Call::operation).toList());
    }
}
