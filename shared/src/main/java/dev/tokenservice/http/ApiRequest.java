package dev.tokenservice.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Read-only view of an API Gateway (REST, payload 1.0) request with the lookups handlers need. */
public final class ApiRequest {

    private final APIGatewayProxyRequestEvent event;
    private final Map<String, String> headers;

    public ApiRequest(APIGatewayProxyRequestEvent event) {
        this.event = event;
        this.headers = new LinkedHashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        if (event.getMultiValueHeaders() != null) {
            event.getMultiValueHeaders().forEach((name, values) -> {
                if (values != null && !values.isEmpty()) {
                    headers.putIfAbsent(name.toLowerCase(Locale.ROOT), String.join(",", values));
                }
            });
        }
    }

    public APIGatewayProxyRequestEvent event() {
        return event;
    }

    public String method() {
        return event.getHttpMethod();
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** How many times the header was sent (API Gateway keeps every value in its multi-value map). */
    public int headerCount(String name) {
        if (event.getMultiValueHeaders() != null) {
            for (var entry : event.getMultiValueHeaders().entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name) && entry.getValue() != null) {
                    return entry.getValue().size();
                }
            }
        }
        return header(name).isPresent() ? 1 : 0;
    }

    /** The resource path the client asked for (without the stage of an execute-api URL, without the query). */
    public String path() {
        return event.getPath() == null ? "/" : event.getPath();
    }

    public Optional<String> cookie(String name) {
        return header("cookie").flatMap(cookies -> {
            for (String pair : cookies.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    return Optional.of(pair.substring(eq + 1).trim());
                }
            }
            return Optional.empty();
        });
    }

    public Optional<String> pathParameter(String name) {
        return Optional.ofNullable(event.getPathParameters()).map(p -> p.get(name))
                .map(value -> FieldRules.checked(name, value));
    }

    /**
     * A path parameter percent-decoded: API Gateway (REST) passes them as sent, so "jdoe%40example.com"
     * arrives encoded. A "+" stays a "+" (it means a space only in query strings and forms).
     */
    public Optional<String> decodedPathParameter(String name) {
        return pathParameter(name).map(value -> {
            try {
                return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                throw JsonBody.invalid(name + ": is not a valid percent-encoded path segment");
            }
        }).map(value -> FieldRules.checked(name, value));
    }

    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(event.getQueryStringParameters()).map(q -> q.get(name))
                .map(value -> FieldRules.checked(name, value));
    }

    /** Every value of every query parameter (repeats matter to OAuth), as API Gateway passes them. */
    public Map<String, List<String>> queryParameters() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (event.getMultiValueQueryStringParameters() != null) {
            event.getMultiValueQueryStringParameters().forEach((name, values) -> parameters.put(name, List.copyOf(values)));
        } else if (event.getQueryStringParameters() != null) {
            event.getQueryStringParameters().forEach((name, value) -> parameters.put(name, List.of(value)));
        }
        parameters.forEach((name, values) -> values.forEach(value -> FieldRules.checked(name, value)));
        return parameters;
    }

    public String body() {
        String body = event.getBody();
        if (body == null) {
            return "";
        }
        if (Boolean.TRUE.equals(event.getIsBase64Encoded())) {
            return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return body;
    }

    public boolean hasContentType(String mediaType) {
        return header("content-type")
                .map(value -> value.toLowerCase(Locale.ROOT).startsWith(mediaType))
                .orElse(false);
    }

    /**
     * Decodes an application/x-www-form-urlencoded body. Every value of a repeated name is kept, because
     * OAuth requires rejecting requests that repeat a parameter.
     */
    public Map<String, List<String>> formParameters() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String pair : body().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(FieldRules.checked(name, value));
        }
        return parameters;
    }

    /**
     * The base URL clients used to reach this API: the stage URL for an execute-api domain, the bare
     * domain for a custom domain (where the stage is not part of the path).
     */
    public String baseUrl() {
        var context = event.getRequestContext();
        String host = header("host").orElse(context != null ? context.getDomainName() : "localhost");
        String proto = header("x-forwarded-proto").orElse("https");
        String base = proto + "://" + host;
        if (context != null && context.getStage() != null && host.contains(".execute-api.")) {
            base += "/" + context.getStage();
        }
        return base;
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            throw new ApiError(400, "invalid_request", "the form body has a malformed %-escape");
        }
    }
}
