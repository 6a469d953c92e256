package dev.tokenservice.local.gateway;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tokenservice.local.failure.Failures;
import dev.tokenservice.local.gateway.GatewayResponses.Type;
import dev.tokenservice.local.lambda.FunctionInvoker;
import dev.tokenservice.local.lambda.LocalLambdaContext;
import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.FunctionDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What API Gateway does in front of the functions, on one HTTP server: routing (unknown routes get
 * 403 Missing Authentication Token), API keys, throttling, the proxy event, and turning the function's
 * answer, or its failure (502), into the HTTP response.
 */
public final class ApiGateway implements HttpHandler {

    /** API Gateway refuses payloads over 10 MB. */
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    /** Set by the HTTP server and API Gateway, never copied from a function's response. */
    private static final Set<String> CONNECTION_HEADERS = Set.of("content-length", "transfer-encoding", "connection");

    private final RouteTable routes;
    private final Map<String, FunctionDefinition> functions;
    private final Map<String, FunctionInvoker> invokers;
    private final Throttling throttling;
    private final Map<String, GatewayResponses> responsesByApi;
    private final GatewayResponses unroutedResponses;
    private final String apiKey;
    private final PrintStream log;

    /**
     * @param invokers by function logical id
     * @param responsesByApi by the API's logical id; a route of SAM's implicit API gets the built-in ones
     * @param unroutedResponses for requests that match no route, so belong to no API
     * @param apiKey the key methods with ApiKeyRequired accept; null when none requires one
     */
    public ApiGateway(RouteTable routes, Map<String, FunctionDefinition> functions, Map<String, FunctionInvoker> invokers,
            Throttling throttling, Map<String, GatewayResponses> responsesByApi, GatewayResponses unroutedResponses,
            String apiKey, PrintStream log) {
        this.routes = routes;
        this.functions = functions;
        this.invokers = invokers;
        this.throttling = throttling;
        this.responsesByApi = responsesByApi;
        this.unroutedResponses = unroutedResponses;
        this.apiKey = apiKey;
        this.log = log;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        try (exchange) {
            Optional<IncomingRequest> request = read(exchange);
            Outcome outcome;
            try {
                outcome = request.isPresent()
                        ? respond(request.get(), requestId)
                        : new Outcome(tooLarge(exchange, requestId), "-");
            } catch (RuntimeException gatewayBug) {
                log.printf("the local gateway failed: %s%n", Failures.describe(gatewayBug));
                outcome = new Outcome(HttpReply.json(500, "{\"message\": \"Internal server error\"}", Map.of()), "-");
            }
            write(exchange, outcome.reply());
            log.printf("%s %s -> %d (%s, %d ms)%n", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    outcome.reply().status(), outcome.target(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    private record Outcome(HttpReply reply, String target) {
    }

    Outcome respond(IncomingRequest request, String requestId) {
        Optional<RouteTable.Match> match = routes.match(request.method(), request.rawPath());
        if (match.isEmpty()) {
            return new Outcome(unroutedResponses.render(Type.MISSING_AUTHENTICATION_TOKEN, request, requestId), "no route");
        }
        ApiRoute route = match.get().route();
        GatewayResponses responses = route.apiId() == null
                ? GatewayResponses.BUILT_IN : responsesByApi.getOrDefault(route.apiId(), GatewayResponses.BUILT_IN);
        String acceptedKey = null;
        if (route.apiKeyRequired()) {
            Optional<String> presented = request.header("x-api-key");
            if (apiKey == null || presented.isEmpty() || !sameKey(presented.get(), apiKey)) {
                return new Outcome(responses.render(Type.INVALID_API_KEY, request, requestId), "API key refused");
            }
            acceptedKey = presented.get();
        }
        switch (throttling.admit(route, acceptedKey != null)) {
            case THROTTLED -> {
                return new Outcome(responses.render(Type.THROTTLED, request, requestId), "throttled");
            }
            case QUOTA_EXCEEDED -> {
                return new Outcome(responses.render(Type.QUOTA_EXCEEDED, request, requestId), "quota exceeded");
            }
            case ADMITTED -> {
                // The function runs.
            }
        }
        FunctionDefinition function = functions.get(route.functionId());
        APIGatewayProxyRequestEvent event = ProxyRequestEvents.build(request, match.get(), requestId, acceptedKey);
        String lambdaRequestId = UUID.randomUUID().toString();
        APIGatewayProxyResponseEvent answer;
        try {
            answer = invokers.get(route.functionId())
                    .invoke(event, new LocalLambdaContext(function, lambdaRequestId, System.currentTimeMillis()));
        } catch (Exception | LinkageError failure) {
            // Lambda reports a function error to API Gateway, which answers 502; the log names the failure only.
            log.printf("%s failed: %s%n", function.logicalId(), failure.getClass().getName());
            return new Outcome(responses.render(Type.FUNCTION_ERROR, request, requestId), function.logicalId());
        }
        Optional<HttpReply> reply = toReply(answer, requestId);
        if (reply.isEmpty()) {
            log.printf("%s returned a malformed proxy response (no statusCode or an undecodable body)%n",
                    function.logicalId());
            return new Outcome(responses.render(Type.FUNCTION_ERROR, request, requestId), function.logicalId());
        }
        return new Outcome(reply.get(), function.logicalId());
    }

    /**
     * The function's proxy response as API Gateway returns it: headers and multiValueHeaders merged (for a
     * name in both, multiValueHeaders wins), Content-Type defaulting to application/json, a base64 body
     * decoded.
     */
    static Optional<HttpReply> toReply(APIGatewayProxyResponseEvent answer, String requestId) {
        if (answer == null || answer.getStatusCode() == null) {
            return Optional.empty();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (answer.getMultiValueHeaders() != null) {
            answer.getMultiValueHeaders().forEach((name, values) -> {
                if (values != null) {
                    headers.put(name, new ArrayList<>(values));
                }
            });
        }
        if (answer.getHeaders() != null) {
            answer.getHeaders().forEach((name, value) -> {
                if (value != null && headers.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                    headers.put(name, List.of(value));
                }
            });
        }
        headers.keySet().removeIf(name -> CONNECTION_HEADERS.contains(name.toLowerCase(Locale.ROOT)));
        if (headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            headers.put("Content-Type", List.of("application/json"));
        }
        headers.put("x-amzn-RequestId", List.of(requestId));
        byte[] body;
        String text = answer.getBody() == null ? "" : answer.getBody();
        if (Boolean.TRUE.equals(answer.getIsBase64Encoded())) {
            try {
                body = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
        } else {
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        return Optional.of(new HttpReply(answer.getStatusCode(), headers, body));
    }

    private static boolean sameKey(String presented, String expected) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** The request, or empty when its body is larger than API Gateway accepts. */
    private static Optional<IncomingRequest> read(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            return Optional.empty();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(canonical(name), List.copyOf(values)));
        var uri = exchange.getRequestURI();
        return Optional.of(new IncomingRequest(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), headers,
                body, exchange.getRemoteAddress().getAddress().getHostAddress(), exchange.getProtocol(),
                exchange.getLocalAddress().getPort(), System.currentTimeMillis()));
    }

    private HttpReply tooLarge(HttpExchange exchange, String requestId) {
        var uri = exchange.getRequestURI();
        IncomingRequest request = new IncomingRequest(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                Map.of(), new byte[0], exchange.getRemoteAddress().getAddress().getHostAddress(), exchange.getProtocol(),
                exchange.getLocalAddress().getPort(), System.currentTimeMillis());
        return unroutedResponses.render(Type.REQUEST_TOO_LARGE, request, requestId);
    }

    /**
     * The JDK's HTTP server keeps header names as "X-forwarded-proto" and drops the client's spelling;
     * capitalizing each word gives back what HTTP/1.1 clients send in practice ("X-Forwarded-Proto").
     */
    static String canonical(String name) {
        StringBuilder result = new StringBuilder(name.length());
        boolean wordStart = true;
        for (char c : name.toCharArray()) {
            result.append(wordStart ? Character.toUpperCase(c) : Character.toLowerCase(c));
            wordStart = c == '-';
        }
        return result.toString();
    }

    private static void write(HttpExchange exchange, HttpReply reply) throws IOException {
        reply.headers().forEach((name, values) -> values.forEach(v -> exchange.getResponseHeaders().add(name, v)));
        boolean noBody = reply.body().length == 0 || "HEAD".equals(exchange.getRequestMethod())
                || reply.status() == 204 || reply.status() == 304;
        exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }
}
