package dev.tokenservice.functions.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad input on every route of template.yaml gets a 4xx in its API family's error format, never a 5xx. Routes
 * come from template.yaml, each starting from its own event in events/ (credentials swapped for real ones), and
 * the fields to spoil from openapi.yaml (path, query and body fields), so a new route is covered without editing
 * this test. What is sent: JSON nested deeper than the parser allows, trailing bytes after a JSON body, values
 * longer than any DynamoDB key may be (2,100 characters, and 1,100 two-byte characters: 2,200 bytes), empty and
 * non-numeric integers, and control and bidi characters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private static final int DEEP = 1500;
    private static final List<String> OVERSIZE = List.of("k".repeat(2100), "\u00e9".repeat(1100));
    private static final List<String> CONTROL = List.of("ab\u0000cd", "ab\u001bcd", "ab\u202Ecd");

    private final JsonNode resources = DynamoDbLocal.readTemplateResources();
    private final JsonNode openApi = OpenApiTest.readOpenApi();
    private Services services;
    private String adminToken;
    private String basicCredentials;
    private final List<String> failures = new ArrayList<>();
    private int probes;

    @BeforeAll
    void adminCaller() {
        services = TestServices.create(MutableClock.startingNow());
        List<String> scopes = List.of("clients:admin", "clients:write", "tokens:admin");
        var admin = TestServices.registerClient(services, scopes);
        adminToken = Requests.token(services, admin.clientId(), scopes);
        basicCredentials = Base64.getEncoder().encodeToString(
                (admin.clientId() + ":" + admin.secret()).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyRouteAnswersBadInputWithA4xxInItsFamilysFormatAndNeverA5xx() throws Exception {
        int routes = 0;
        for (var entry : (Iterable<Map.Entry<String, JsonNode>>) resources::fields) {
            JsonNode function = entry.getValue();
            for (JsonNode trigger : function.path("Properties").path("Events")) {
                if (!"Api".equals(trigger.path("Type").asText())) {
                    continue;
                }
                routes++;
                String method = trigger.path("Properties").path("Method").asText().toLowerCase(Locale.ROOT);
                String path = trigger.path("Properties").path("Path").asText();
                probe(entry.getKey(), handler(function), method, path);
            }
        }
        assertTrue(routes >= 29, "routes found: " + routes);
        assertTrue(failures.isEmpty(), failures.size() + " of " + probes + " bad requests were mishandled:\n"
                + String.join("\n", failures));
    }

    private void probe(String function, RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler,
            String method, String path) {
        String route = method.toUpperCase(Locale.ROOT) + " " + path;
        JsonNode operation = openApi.path("paths").path(path).path(method);
        boolean json = isJson(base(function));

        // GIVEN JSON nested deeper than 1000 levels, WHEN sent to the route, THEN 4xx where a JSON body is read
        String deep = "{\"a\":".repeat(DEEP) + "1" + "}".repeat(DEEP);
        expect(handler, route, "JSON nested " + DEEP + " deep", json, withBody(function, deep));
        expect(handler, route, "arrays nested " + DEEP + " deep", json,
                withBody(function, "[".repeat(DEEP) + "]".repeat(DEEP)));
        if (json) {
            // trailing bytes after a valid body: nothing may be acted on
            expect(handler, route, "trailing bytes after the JSON body", true,
                    withBody(function, base(function).getBody() + "}}"));
            expect(handler, route, "a second JSON value after the body", true,
                    withBody(function, base(function).getBody() + " {}"));
        }

        for (Field field : fields(operation)) {
            if ("integer".equals(field.type())) {
                for (String notANumber : List.of("", "abc", "1.5")) {
                    expect(handler, route, field + " = '" + notANumber + "'", true, with(function, field, notANumber));
                }
                continue;
            }
            for (String oversize : OVERSIZE) {
                expect(handler, route, field + " of " + oversize.length() + " characters", false,
                        with(function, field, oversize));
            }
            for (String control : CONTROL) {
                expect(handler, route, field + " with U+" + String.format("%04X", (int) control.charAt(2)), false,
                        with(function, field, control));
            }
        }
        if (base(function).getHeaders().getOrDefault("Authorization", "").startsWith("Basic ")) {
            for (String oversize : OVERSIZE) {
                APIGatewayProxyRequestEvent event = base(function);
                event.getHeaders().put("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((oversize + ":secret").getBytes(StandardCharsets.UTF_8)));
                expect(handler, route, "Basic client_id of " + oversize.length() + " characters", true, event);
            }
        }
    }

    /** Sends the event; a 5xx always fails, a 4xx must be in the route family's error format. */
    private void expect(RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler, String route,
            String what, boolean mustBe4xx, APIGatewayProxyRequestEvent event) {
        probes++;
        APIGatewayProxyResponseEvent response;
        try {
            response = handler.handleRequest(event, null);
        } catch (RuntimeException escaped) {
            failures.add(route + ", " + what + ": threw " + escaped);
            return;
        }
        int status = response.getStatusCode();
        String body = response.getBody() == null ? "" : response.getBody();
        String shown = body.length() > 200 ? body.substring(0, 200) + "..." : body;
        if (status >= 500 || (mustBe4xx && status < 400)) {
            failures.add(route + ", " + what + ": " + status + " " + shown);
        } else if (status >= 400 && !inFamilyFormat(route, status, response)) {
            failures.add(route + ", " + what + ": " + status + " not in the family's error format: " + shown);
        }
    }

    /** DocSpace {"reason"} (+ RFC 9457), Agilicus ErrorMessage, Knetik Result, RFC 6749 errors; the consent flow's pages. */
    private static boolean inFamilyFormat(String route, int status, APIGatewayProxyResponseEvent response) {
        String path = route.substring(route.indexOf(' ') + 1);
        String contentType = response.getHeaders() == null ? "" : response.getHeaders().getOrDefault("Content-Type", "");
        // the pages a browser shows (consent, sign-in, upstream sign-in, logout, the device's verification page): an
        // HTML error page, never a redirect
        if ((path.startsWith("/oauth2/authorize") || path.startsWith("/oauth2/logout")
                || path.startsWith("/oauth2/upstream/") || path.equals("/oauth2/device"))
                && contentType.startsWith("text/html")) {
            return true;
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.getBody());
        } catch (Exception notJson) {
            return false;
        }
        if (path.startsWith("/api/2.0/")) {
            return body.path("reason").isTextual() && body.path("status").asInt() == status;
        }
        if (path.startsWith("/v1/")) {
            return body.path("error_code").isTextual() && body.path("error_message").isTextual();
        }
        if (path.startsWith("/auth/")) {
            return body.path("code").asInt() == status && body.path("result").path(0).path("message").isTextual();
        }
        return body.path("error").isTextual();
    }

    /** A spoilable field of an operation: a path or query parameter or a top-level property of its request body. */
    private record Field(String in, String name, String type) {
        @Override
        public String toString() {
            return in + " " + name;
        }
    }

    private List<Field> fields(JsonNode operation) {
        List<Field> fields = new ArrayList<>();
        for (JsonNode parameter : operation.path("parameters")) {
            JsonNode resolved = resolve(parameter);
            String in = resolved.path("in").asText();
            if ("path".equals(in) || "query".equals(in)) {
                fields.add(new Field(in, resolved.path("name").asText(), resolve(resolved.path("schema")).path("type").asText()));
            }
        }
        operation.path("requestBody").path("content").fields().forEachRemaining(content -> {
            String in = content.getKey().contains("json") ? "json" : "form";
            resolve(content.getValue().path("schema")).path("properties").fields().forEachRemaining(property -> {
                String type = resolve(property.getValue()).path("type").asText();
                if ("string".equals(type)) {
                    fields.add(new Field(in, property.getKey(), type));
                }
            });
        });
        return fields;
    }

    private APIGatewayProxyRequestEvent with(String function, Field field, String value) {
        APIGatewayProxyRequestEvent event = base(function);
        switch (field.in()) {
            case "path" -> {
                Map<String, String> parameters = new HashMap<>(event.getPathParameters() == null ? Map.of() : event.getPathParameters());
                parameters.put(field.name(), URLEncoder.encode(value, StandardCharsets.UTF_8));
                event.setPathParameters(parameters);
            }
            case "query" -> {
                Map<String, String> parameters = new HashMap<>(
                        event.getQueryStringParameters() == null ? Map.of() : event.getQueryStringParameters());
                parameters.put(field.name(), value);
                event.setQueryStringParameters(parameters);
                event.setMultiValueQueryStringParameters(null);
            }
            case "json" -> {
                ObjectNode body = event.getBody() == null ? Json.object() : (ObjectNode) readJson(event.getBody());
                body.put(field.name(), value);
                event.setBody(body.toString());
                event.getHeaders().put("Content-Type", "application/json");
            }
            default -> {
                Map<String, String> form = new LinkedHashMap<>();
                if (event.getBody() != null) {
                    for (String pair : event.getBody().split("&")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0) {
                            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                        }
                    }
                }
                form.put(field.name(), value);
                StringBuilder encoded = new StringBuilder();
                form.forEach((name, v) -> encoded.append(encoded.length() == 0 ? "" : "&")
                        .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
                event.setBody(encoded.toString());
                event.getHeaders().put("Content-Type", "application/x-www-form-urlencoded");
            }
        }
        return event;
    }

    private APIGatewayProxyRequestEvent withBody(String function, String body) {
        APIGatewayProxyRequestEvent event = base(function);
        event.setBody(body);
        return event;
    }

    /**
     * The route's own event from events/, sent by the admin client: a Bearer (or DocSpace cookie) of this service
     * with every admin scope, Basic credentials of a registered client, and this test's issuer as the host.
     */
    private APIGatewayProxyRequestEvent base(String function) {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("events/" + function + ".json");
        Map<String, String> headers = new HashMap<>(event.getHeaders() == null ? Map.of() : event.getHeaders());
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        replaceCredentials(headers, "Authorization", value -> {
            if (value.startsWith("Bearer ")) {
                headers.put("Authorization", "Bearer " + adminToken);
            } else if (value.startsWith("Basic ")) {
                headers.put("Authorization", "Basic " + basicCredentials);
            }
        });
        replaceCredentials(headers, "Cookie", value -> headers.put("Cookie", "asc_auth_key=" + adminToken));
        event.setHeaders(headers);
        event.setMultiValueHeaders(null);
        return event;
    }

    private static void replaceCredentials(Map<String, String> headers, String name, Consumer<String> replace) {
        String value = headers.get(name);
        if (value != null) {
            replace.accept(value);
        }
    }

    private static boolean isJson(APIGatewayProxyRequestEvent event) {
        return event.getHeaders().getOrDefault("Content-Type", "").contains("json") && event.getBody() != null;
    }

    @SuppressWarnings("unchecked")
    private RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler(JsonNode function)
            throws ReflectiveOperationException {
        String handler = function.path("Properties").path("Handler").asText();
        Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
        return (RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>)
                type.getConstructor(Services.class).newInstance(services);
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current.has("$ref") && hops < 10; hops++) {
            current = openApi.at(current.path("$ref").asText().substring(1));
        }
        return current;
    }

    private static JsonNode readJson(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("an event's body is not JSON: " + text, e);
        }
    }
}
