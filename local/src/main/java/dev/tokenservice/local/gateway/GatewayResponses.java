package dev.tokenservice.local.gateway;

import dev.tokenservice.local.template.ApiDefinition.GatewayResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The responses API Gateway writes itself (no route, no API key, throttled, a failed function), with the
 * template's GatewayResponses applied as AWS applies them: a type's own customization, else that of
 * DEFAULT_4XX or DEFAULT_5XX, else API Gateway's built-in {"message": ...} body.
 */
public final class GatewayResponses {

    enum Type {
        MISSING_AUTHENTICATION_TOKEN(403, "{\"message\":\"Missing Authentication Token\"}"),
        INVALID_API_KEY(403, "{\"message\":\"Forbidden\"}"),
        THROTTLED(429, "{\"message\":\"Too Many Requests\"}"),
        QUOTA_EXCEEDED(429, "{\"message\":\"Limit Exceeded\"}"),
        REQUEST_TOO_LARGE(413, "{\"message\":\"Request Too Long\"}"),
        /**
         * A function that threw or answered with something that is not a proxy response: 502 with
         * API Gateway's own body. No response type of its own, so only DEFAULT_5XX customizes it.
         */
        FUNCTION_ERROR(502, "{\"message\": \"Internal server error\"}");

        final int status;
        final String body;

        Type(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    /** API Gateway's responses as they are when a template customizes none. */
    public static final GatewayResponses BUILT_IN = new GatewayResponses(Map.of());

    private final Map<String, GatewayResponse> customized;

    public GatewayResponses(Map<String, GatewayResponse> customized) {
        this.customized = customized;
    }

    HttpReply render(Type type, IncomingRequest request, String requestId) {
        GatewayResponse custom = type == Type.FUNCTION_ERROR ? null : customized.get(type.name());
        int status = custom != null && custom.statusCode() != null ? custom.statusCode() : type.status;
        if (custom == null) {
            custom = customized.get(status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String body = type.body;
        if (custom != null) {
            custom.headers().forEach((name, value) -> headerValue(value, request)
                    .ifPresent(v -> headers.put(name, List.of(v))));
            if (custom.jsonTemplate() != null) {
                body = substitute(custom.jsonTemplate(), type, requestId);
            }
        }
        headers.put("x-amzn-RequestId", List.of(requestId));
        return HttpReply.json(status, body, headers);
    }

    /** Literal values arrive unquoted; method.request.header.X copies a request header; other mappings are AWS-only. */
    private static Optional<String> headerValue(String value, IncomingRequest request) {
        String requestHeader = "method.request.header.";
        if (value.startsWith(requestHeader)) {
            return request.header(value.substring(requestHeader.length()));
        }
        if (value.startsWith("method.") || value.startsWith("context.") || value.startsWith("stageVariables.")) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** The few $context variables a response template typically uses. */
    private static String substitute(String template, Type type, String requestId) {
        String message = type.body.replaceAll("^\\{\"message\": ?\"(.*)\"}$", "$1");
        return template
                .replace("$context.error.messageString", "\"" + message + "\"")
                .replace("$context.error.message", message)
                .replace("$context.error.responseType", type.name())
                .replace("$context.requestId", requestId);
    }
}
