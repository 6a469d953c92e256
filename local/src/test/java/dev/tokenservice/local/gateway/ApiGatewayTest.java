package dev.tokenservice.local.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.sun.net.httpserver.HttpServer;
import dev.tokenservice.local.lambda.FunctionInvoker;
import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.FunctionDefinition;
import dev.tokenservice.local.template.TemplateModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway in front of stand-in functions, over real HTTP: what a function receives, what a client gets. */
class ApiGatewayTest {

    private static final String API_KEY = "test-api-key-0123456789";
    private static final String TEMPLATE = """
            Resources:
              Api:
                Type: AWS::Serverless::Api
                Properties:
                  MethodSettings:
                    - {ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 1000}
                    - {ResourcePath: '/~1limited', HttpMethod: GET, ThrottlingRateLimit: 0.001, ThrottlingBurstLimit: 1}
                  Auth:
                    UsagePlan:
                      CreateUsagePlan: PER_API
                      Quota: {Limit: 2, Period: DAY}
                  GatewayResponses:
                    THROTTLED:
                      StatusCode: 429
                      ResponseParameters: {Headers: {Retry-After: "'7'", Echo: method.request.header.X-Trace}}
                      ResponseTemplates: {application/json: '{"error":"slow_down"}'}
                    DEFAULT_5XX:
                      ResponseTemplates: {application/json: '{"error":"server_error","message":$context.error.messageString}'}
              Echo:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: test.Echo::handleRequest
                  Events:
                    Items: {Type: Api, Properties: {RestApiId: !Ref Api, Path: '/items/{id}', Method: get}}
                    Files: {Type: Api, Properties: {RestApiId: !Ref Api, Path: '/files/{path+}', Method: any}}
                    New: {Type: Api, Properties: {RestApiId: !Ref Api, Path: '/items/new', Method: post}}
                    Upload: {Type: Api, Properties: {RestApiId: !Ref Api, Path: '/upload', Method: post}}
                    Limited: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /limited, Method: get}}
                    Keyed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /keyed, Method: get, Auth: {ApiKeyRequired: true}}}
              Broken:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: test.Broken::handleRequest
                  Events:
                    Fail: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /fail, Method: get}}
                    Malformed: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /malformed, Method: get}}
            """;

    private final AtomicReference<APIGatewayProxyRequestEvent> received = new AtomicReference<>();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpServer server;
    private String base;

    @BeforeEach
    void startGateway() throws Exception {
        TemplateModel template = TemplateModel.parse(TEMPLATE, "test", Map.of());
        List<ApiRoute> routes = template.apiRoutes();
        Map<String, FunctionDefinition> functions = new LinkedHashMap<>();
        template.functions().forEach(f -> functions.put(f.logicalId(), f));
        Map<String, FunctionInvoker> invokers = Map.of(
                "Echo", (event, context) -> {
                    received.set(event);
                    return new APIGatewayProxyResponseEvent()
                            .withStatusCode(201)
                            .withHeaders(Map.of("X-Single", "one", "X-Both", "from-headers"))
                            .withMultiValueHeaders(Map.of("X-Both", List.of("a", "b")))
                            .withIsBase64Encoded(true)
                            .withBody(Base64.getEncoder().encodeToString(
                                    ("function " + context.getFunctionName()).getBytes(StandardCharsets.UTF_8)));
                },
                "Broken", (event, context) -> {
                    if (event.getPath().equals("/fail")) {
                        throw new IllegalStateException("secret detail that must not leak");
                    }
                    return new APIGatewayProxyResponseEvent().withBody("no status code");
                });
        ApiGateway gateway = new ApiGateway(new RouteTable(routes), functions, invokers,
                new Throttling(template, routes, System::nanoTime, Clock.systemUTC()),
                Map.of("Api", new GatewayResponses(template.api("Api").orElseThrow().gatewayResponses())),
                GatewayResponses.BUILT_IN, API_KEY, new PrintStream(log, true, StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", gateway);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopGateway() {
        server.stop(0);
    }

    @Test
    void functionReceivesTheProxyEventApiGatewayWouldSend() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/items/a%20b?tag=x%2By&tag=z&flag"))
                .header("X-Custom", "v1").header("User-Agent", "test-agent").GET());

        assertEquals(201, response.statusCode());
        APIGatewayProxyRequestEvent event = received.get();
        assertEquals("GET", event.getHttpMethod());
        assertEquals("/items/a%20b", event.getPath());
        assertEquals("/items/{id}", event.getResource());
        assertEquals(Map.of("id", "a%20b"), event.getPathParameters());
        assertEquals(Map.of("tag", "z", "flag", ""), event.getQueryStringParameters());
        assertEquals(List.of("x+y", "z"), event.getMultiValueQueryStringParameters().get("tag"));
        assertEquals("v1", event.getHeaders().get("X-Custom"));
        assertEquals(List.of("v1"), event.getMultiValueHeaders().get("X-Custom"));
        assertEquals("http", event.getHeaders().get("X-Forwarded-Proto"));
        assertNull(event.getBody());
        assertFalse(event.getIsBase64Encoded());
        var context = event.getRequestContext();
        assertEquals("local", context.getStage());
        assertEquals("/items/{id}", context.getResourcePath());
        assertEquals("127.0.0.1:" + server.getAddress().getPort(), context.getDomainName());
        assertEquals("127.0.0.1", context.getIdentity().getSourceIp());
        assertEquals("test-agent", context.getIdentity().getUserAgent());
        assertNotNull(context.getRequestId());
        assertEquals(context.getRequestId(), response.headers().firstValue("x-amzn-RequestId").orElseThrow());
    }

    @Test
    void functionResponseIsWrittenBackWithMergedHeadersAndDecodedBody() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/items/1")).GET());

        assertEquals("function Echo", response.body());
        assertEquals("one", response.headers().firstValue("X-Single").orElseThrow());
        assertEquals(List.of("a", "b"), response.headers().allValues("X-Both"), "multiValueHeaders win over headers");
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void literalPathBeatsParameterAndGreedyParameterTakesTheRest() throws Exception {
        send(HttpRequest.newBuilder(URI.create(base + "/items/new")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json"));
        assertEquals("/items/new", received.get().getResource());
        assertEquals("{}", received.get().getBody());

        send(HttpRequest.newBuilder(URI.create(base + "/files/a/b/c.txt")).DELETE());
        assertEquals("/files/{path+}", received.get().getResource());
        assertEquals(Map.of("path", "a/b/c.txt"), received.get().getPathParameters());
    }

    @Test
    void binaryBodiesArriveBase64Encoded() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        send(HttpRequest.newBuilder(URI.create(base + "/upload")).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));

        assertTrue(received.get().getIsBase64Encoded());
        assertEquals(Base64.getEncoder().encodeToString(bytes), received.get().getBody());
    }

    @Test
    void unknownPathOrMethodGetsMissingAuthenticationToken() throws Exception {
        for (HttpRequest.Builder request : List.of(
                HttpRequest.newBuilder(URI.create(base + "/nowhere")).GET(),
                HttpRequest.newBuilder(URI.create(base + "/items/1")).DELETE(),
                HttpRequest.newBuilder(URI.create(base + "/items/new")).GET())) {
            HttpResponse<String> response = send(request);
            assertEquals(403, response.statusCode());
            assertEquals("{\"message\":\"Missing Authentication Token\"}", response.body());
        }
        assertNull(received.get(), "no function ran");
    }

    @Test
    void aFailingFunctionGets502WithTheTemplatesDefault5xxBodyAndNoDetails() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/fail")).GET());

        assertEquals(502, response.statusCode());
        assertEquals("{\"error\":\"server_error\",\"message\":\"Internal server error\"}", response.body());
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("Broken failed: java.lang.IllegalStateException"), logged);
        assertFalse(logged.contains("secret detail"), "the exception message stays out of the log");
        assertFalse(logged.contains("\tat "), "no stack trace");

        assertEquals(502, send(HttpRequest.newBuilder(URI.create(base + "/malformed")).GET()).statusCode());
    }

    @Test
    void methodsRequiringAnApiKeyRefuseMissingOrWrongKeysAndCountTheQuota() throws Exception {
        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(base + "/keyed")).GET());
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(base + "/keyed")).header("x-api-key", "nope").GET());
        assertEquals(403, missing.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", missing.body());
        assertEquals(403, wrong.statusCode());
        assertNull(received.get());

        HttpRequest.Builder keyed = HttpRequest.newBuilder(URI.create(base + "/keyed")).header("x-api-key", API_KEY).GET();
        assertEquals(201, send(keyed).statusCode());
        assertEquals(API_KEY, received.get().getRequestContext().getIdentity().getApiKey());
        assertEquals(201, send(keyed).statusCode());
        HttpResponse<String> overQuota = send(keyed);
        assertEquals(429, overQuota.statusCode(), "the quota is 2 a day");
        assertEquals("{\"message\":\"Limit Exceeded\"}", overQuota.body());
    }

    @Test
    void overTheMethodThrottleTheTemplatesThrottledResponseIsReturned() throws Exception {
        HttpRequest.Builder limited = HttpRequest.newBuilder(URI.create(base + "/limited")).header("X-Trace", "t-1").GET();

        assertEquals(201, send(limited).statusCode(), "a burst of 1 admits the first request");
        HttpResponse<String> throttled = send(limited);

        assertEquals(429, throttled.statusCode());
        assertEquals("{\"error\":\"slow_down\"}", throttled.body());
        assertEquals("7", throttled.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("t-1", throttled.headers().firstValue("Echo").orElseThrow());
        assertEquals(201, send(HttpRequest.newBuilder(URI.create(base + "/items/1")).GET()).statusCode(),
                "other methods keep their own bucket");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
