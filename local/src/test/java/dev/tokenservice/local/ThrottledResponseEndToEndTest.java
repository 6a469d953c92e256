package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A gateway response cannot vary by path, so the one 429 body the template defines must read as an error in
 * every family's own model: each family's route is throttled on a runner with tiny limits and its body is read
 * the way that family's clients read errors.
 */
class ThrottledResponseEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path data;
    private static LocalServerProcess server;

    @BeforeAll
    static void startWithTinyLimits() {
        server = LocalServerProcess.start(data,
                "--parameter", "ManagementBurstLimit=1", "--parameter", "ManagementRateLimit=1",
                "--parameter", "TokenEndpointBurstLimit=1", "--parameter", "TokenEndpointRateLimit=1");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Stream<Arguments> families() {
        Consumer<JsonNode> oauth = body -> {
            assertEquals("slow_down", body.path("error").asText(), "RFC 6749 error");
            assertFalse(body.path("error_description").asText().isEmpty());
        };
        Consumer<JsonNode> docSpace = body -> {
            assertEquals("too many requests", body.path("reason").asText(), "DocSpace ErrorResponse.reason");
            assertEquals(429, body.path("status").asInt(), "RFC 9457 status");
            assertEquals("Too Many Requests", body.path("title").asText(), "RFC 9457 title");
            assertTrue(body.path("type").asText().startsWith("https://"), "RFC 9457 type is a URI");
            assertFalse(body.path("detail").asText().isEmpty(), "RFC 9457 detail");
        };
        Consumer<JsonNode> agilicus = body -> {
            assertEquals("slow_down", body.path("error_code").asText(), "Agilicus ErrorMessage.error_code");
            assertFalse(body.path("error_message").asText().isEmpty(), "Agilicus ErrorMessage.error_message");
        };
        Consumer<JsonNode> knetik = body -> {
            assertTrue(body.path("code").isInt(), "Knetik Result.code is an int");
            assertEquals(429, body.path("code").asInt());
            assertTrue(body.path("result").isArray() && !body.path("result").isEmpty(), "Knetik Result.result[]");
            assertFalse(body.path("result").get(0).path("message").asText().isEmpty(), "ErrorResource.message");
        };
        return Stream.of(
                Arguments.of("OAuth", "POST", "/oauth2/token", oauth),
                Arguments.of("DocSpace", "GET", "/api/2.0/scopes", docSpace),
                Arguments.of("Agilicus", "GET", "/v1/tokens", agilicus),
                Arguments.of("Knetik", "GET", "/auth/tokens", knetik));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("families")
    void overTheLimitTheFamilysClientsReadA429InTheirOwnErrorModel(String family, String method, String path,
            Consumer<JsonNode> readsAsItsError) throws Exception {
        // GIVEN a burst of 1 at 1 request/s; WHEN six requests arrive at once
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                    .timeout(Duration.ofSeconds(30))
                    .method(method, method.equals("POST")
                            ? HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")
                            : HttpRequest.BodyPublishers.noBody());
            server.apiKey().ifPresent(key -> request.header("x-api-key", key));
            if (method.equals("POST")) {
                request.header("Content-Type", "application/x-www-form-urlencoded");
            }
            burst.add(HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (var response : burst) {
            responses.add(response.get(30, TimeUnit.SECONDS));
        }

        // THEN the throttled ones carry Retry-After and a body the family's clients read as an error
        HttpResponse<String> throttled = responses.stream().filter(r -> r.statusCode() == 429).findFirst()
                .orElseThrow(() -> new AssertionError(family + ": six requests at a burst of 1, none throttled"));
        assertEquals("1", throttled.headers().firstValue("Retry-After").orElse(null));
        assertEquals("application/json", throttled.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        readsAsItsError.accept(JSON.readTree(throttled.body()));
    }
}
