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

    /** A page for a browser; the caller adds the security headers that suit the page. */
    public static APIGatewayProxyResponseEvent html(int status, String page, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/html; charset=utf-8");
        headers.putAll(extraHeaders);
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(headers).withBody(page);
    }

    /** 302 Found; never cached, because the location carries a one-time code or a request's state. */
    public static APIGatewayProxyResponseEvent redirect(String location) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Location", location);
        headers.putAll(noStore());
        headers.put("Referrer-Policy", "no-referrer");
        return new APIGatewayProxyResponseEvent().withStatusCode(302).withHeaders(headers).withBody("");
    }

    /** Token responses must never be cached (RFC 6749 §5.1). */
    public static Map<String, String> noStore() {
        return Map.of("Cache-Control", "no-store", "Pragma", "no-cache");
    }
}
