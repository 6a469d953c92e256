package dev.tokenservice.local.gateway;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.ProxyRequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.RequestIdentity;
import dev.tokenservice.local.template.Intrinsics;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the event API Gateway (REST API, Lambda proxy integration, payload 1.0) would send a function. */
final class ProxyRequestEvents {

    static final String STAGE = "local";
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private ProxyRequestEvents() {
    }

    /**
     * @param apiKey the API key the request passed, or null when its method requires none
     */
    static APIGatewayProxyRequestEvent build(IncomingRequest request, RouteTable.Match match, String requestId,
            String apiKey) {
        Map<String, List<String>> headers = forwardedHeaders(request);
        Map<String, List<String>> query = queryParameters(request.rawQuery());

        ProxyRequestContext context = new ProxyRequestContext();
        context.setAccountId(Intrinsics.LOCAL_ACCOUNT);
        context.setApiId("local");
        context.setResourceId(Integer.toHexString(match.route().path().hashCode()));
        context.setStage(STAGE);
        context.setRequestId(requestId);
        context.setExtendedRequestId(requestId);
        context.setRequestTime(REQUEST_TIME.format(Instant.ofEpochMilli(request.receivedAtMillis())));
        context.setRequestTimeEpoch(request.receivedAtMillis());
        String host = request.header("Host").orElse("127.0.0.1:" + request.localPort());
        context.setDomainName(host);
        context.setDomainPrefix(host.split("[.:]")[0]);
        context.setHttpMethod(request.method());
        context.setPath(request.rawPath());
        context.setResourcePath(match.route().path());
        context.setProtocol(request.protocol());
        RequestIdentity identity = new RequestIdentity();
        identity.setSourceIp(request.sourceIp());
        identity.setUserAgent(request.header("User-Agent").orElse(null));
        identity.setApiKey(apiKey);
        context.setIdentity(identity);

        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent()
                .withHttpMethod(request.method())
                .withPath(request.rawPath())
                .withResource(match.route().path())
                .withPathParameters(match.pathParameters().isEmpty() ? null : match.pathParameters())
                .withHeaders(lastValues(headers))
                .withMultiValueHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : lastValues(query))
                .withMultiValueQueryStringParameters(query.isEmpty() ? null : query)
                .withStageVariables(null)
                .withRequestContext(context);
        setBody(event, request);
        return event;
    }

    /**
     * The client's headers plus those API Gateway adds. Behind API Gateway X-Forwarded-Proto is https;
     * here it is http, and the service derives its issuer URL from Host and X-Forwarded-Proto.
     */
    private static Map<String, List<String>> forwardedHeaders(IncomingRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().forEach((name, values) -> {
            if (!isForwardingHeader(name)) {
                headers.put(name, List.copyOf(values));
            }
        });
        List<String> forwardedFor = new ArrayList<>(request.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("X-Forwarded-For"))
                .flatMap(e -> e.getValue().stream())
                .toList());
        forwardedFor.add(request.sourceIp());
        headers.put("X-Forwarded-For", List.of(String.join(", ", forwardedFor)));
        headers.put("X-Forwarded-Port", List.of(String.valueOf(request.localPort())));
        headers.put("X-Forwarded-Proto", List.of("http"));
        return headers;
    }

    private static boolean isForwardingHeader(String name) {
        return name.equalsIgnoreCase("X-Forwarded-For") || name.equalsIgnoreCase("X-Forwarded-Port")
                || name.equalsIgnoreCase("X-Forwarded-Proto");
    }

    /** URL-decoded; a name without "=" has the empty value; a repeated name keeps every value. */
    static Map<String, List<String>> queryParameters(String rawQuery) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    /** Text travels as text; anything else as base64, as API Gateway does for binary media types. */
    private static void setBody(APIGatewayProxyRequestEvent event, IncomingRequest request) {
        if (request.body().length == 0) {
            event.setIsBase64Encoded(false);
            return;
        }
        boolean text = request.header("Content-Type").map(ProxyRequestEvents::isTextual).orElse(false);
        event.setIsBase64Encoded(!text);
        event.setBody(text
                ? new String(request.body(), StandardCharsets.UTF_8)
                : Base64.getEncoder().encodeToString(request.body()));
    }

    static boolean isTextual(String contentType) {
        String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/")
                || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml")
                || type.equals("application/x-www-form-urlencoded")
                || type.equals("application/javascript") || type.equals("application/graphql");
    }

    /** The single-value maps of payload 1.0 hold the last value of a repeated name. */
    private static Map<String, String> lastValues(Map<String, List<String>> multi) {
        Map<String, String> single = new LinkedHashMap<>();
        multi.forEach((name, values) -> {
            if (!values.isEmpty()) {
                single.put(name, values.get(values.size() - 1));
            }
        });
        return single;
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return value;
        }
    }
}
