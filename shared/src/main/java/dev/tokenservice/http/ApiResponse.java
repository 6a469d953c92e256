package dev.tokenservice.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds API Gateway responses; every JSON response carries its content type. */
public final class ApiResponse {

    private ApiResponse() {
    }

    public static APIGatewayProxyResponseEvent json(int status, Object body) {
        return json(status, body, Map.of());
    }

    public static APIGatewayProxyResponseEvent json(int status, Object body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.putAll(extraHeaders);
        return new APIGatewayProxyResponseEvent()
                .withStatusCode(status)
                .withHeaders(headers)
                .withBody(body instanceof String s ? s : Json.write(body));
    }

    /** An empty answer without a content type, as DocSpace sends for update, delete and activation. */
    public static APIGatewayProxyResponseEvent empty(int status) {
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(new LinkedHashMap<>()).withBody("");
    }

    /** Token responses must never be cached (RFC 6749 §5.1). */
    public static Map<String, String> noStore() {
        return Map.of("Cache-Control", "no-store", "Pragma", "no-cache");
    }
}
