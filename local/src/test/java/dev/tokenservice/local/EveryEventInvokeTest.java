package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.local.LocalServerProcess.AdminCredentials;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.tokens.ExpiryShards;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The local invoke while the local runner serves the same data folder, as a developer uses the two side by
 * side: every file of events/ invoked through the command, the invoke seeing the runner's clients and
 * tokens (and the runner seeing what an invoke made), the scheduled cleanup removing an expired row.
 *
 * <p>The command runs in this JVM ({@link LocalInvoke#run}, the same code main runs, with the same arguments):
 * every invocation here uses one data folder and one environment, so the functions' shared Services fit all
 * of them, and 31 JVM starts are saved. What needs a process of its own (exit status, a fresh folder, another
 * template) is in {@link LocalInvokeCommandTest}.
 */
class EveryEventInvokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path TEMPLATE = LocalOptions.findTemplate(Path.of(""));
    private static final Path EVENTS = TEMPLATE.getParent().resolve("events");

    @TempDir
    static Path data;
    private static LocalServerProcess runner;
    private static AdminCredentials admin;

    @BeforeAll
    static void startTheRunner() {
        runner = LocalServerProcess.start(data);
        admin = runner.bootstrapCredentials()
                .orElseThrow(() -> new AssertionError("a fresh data folder prints the bootstrap admin:\n" + runner.output()));
    }

    @AfterAll
    static void stopTheRunner() {
        if (runner != null) {
            runner.close();
        }
    }

    /**
     * Functions whose template Condition is false in the runner's default signing mode (`kms`): the key rotation
     * exists only in `wrapped` mode, which needs a KMS emulator that generates key pairs (WrappedSigningModeTest).
     */
    private static final java.util.Set<String> ABSENT_LOCALLY = java.util.Set.of("RotateSigningKeysFunction");

    /** What each event file, as it is (example credentials, example ids), gets from its function. */
    private static final Map<String, Consumer<JsonNode>> EXPECTED = Map.ofEntries(
            Map.entry("GetJwksFunction", ok(body -> assertTrue(body.path("keys").get(0).has("kid"), "a JWK with its kid"))),
            Map.entry("GetServerMetadataFunction", ok(body -> assertEquals(runner.baseUrl(), body.path("issuer").asText(),
                    "the invoke uses the issuer of the runner serving the folder"))),
            Map.entry("GetOpenIdConfigurationFunction", ok(body -> assertEquals(runner.baseUrl() + "/oauth2/userinfo",
                    body.path("userinfo_endpoint").asText(), "OpenID discovery under the runner's issuer"))),
            Map.entry("GetUserInfoFunction", bearerError(401)),
            Map.entry("PostUserInfoFunction", bearerError(401)),
            Map.entry("EndSessionFunction", page(400)),   // its example hint is no ID token: nothing was signed out
            Map.entry("PostEndSessionFunction", page(401)),
            Map.entry("IssueTokenFunction", oauthError(401, "invalid_client")),
            Map.entry("CreateSessionFunction", oauthError(401, "invalid_token")),
            Map.entry("IntrospectTokenFunction", oauthError(401, "invalid_client")),
            Map.entry("RevokeTokenFunction", oauthError(401, "invalid_client")),
            Map.entry("PushAuthorizationRequestFunction", oauthError(401, "invalid_client")),
            Map.entry("AuthorizeFunction", page(400)),
            Map.entry("DecideConsentFunction", page(401)),
            Map.entry("StartDeviceAuthorizationFunction", oauthError(401, "invalid_client")),
            // Its example cookie is no session, and no login front end is configured for a bare invoke: a page says so.
            Map.entry("ShowDevicePageFunction", page(401)),
            Map.entry("AnswerDevicePageFunction", page(401)),
            Map.entry("GetPublicClientInfoFunction", docSpaceError(404)),
            Map.entry("CreateClientFunction", docSpaceError(401)),
            Map.entry("ListClientsFunction", docSpaceError(401)),
            Map.entry("GetClientFunction", docSpaceError(401)),
            Map.entry("UpdateClientFunction", docSpaceError(401)),
            Map.entry("DeleteClientFunction", docSpaceError(401)),
            Map.entry("ChangeClientActivationFunction", docSpaceError(401)),
            Map.entry("RegenerateClientSecretFunction", docSpaceError(401)),
            Map.entry("RevokeClientConsentFunction", docSpaceError(401)),
            Map.entry("GetClientInfoFunction", docSpaceError(401)),
            Map.entry("ListClientsInfoFunction", docSpaceError(401)),
            Map.entry("ListConsentsFunction", docSpaceError(401)),
            Map.entry("ListScopesFunction", docSpaceError(401)),
            Map.entry("RotateClientSecretFunction", docSpaceError(401)),
            Map.entry("ListClientSecretsFunction", docSpaceError(401)),
            Map.entry("EndSecretOverlapFunction", docSpaceError(401)),
            Map.entry("AgilicusCreateTokenFunction", agilicusError(401)),
            Map.entry("AgilicusListTokensFunction", agilicusError(401)),
            // A caller that does not verify is nobody here (the SDK sends none), and the example asks only for
            // scopes anybody may: the request comes back.
            Map.entry("AgilicusValidateTokenRequestFunction", ok(body -> assertEquals("u-123 o-456",
                    body.path("sub").asText() + " " + body.path("org").asText()))),
            // These take the token in the body, where a forged one is a 400 naming the field.
            Map.entry("AgilicusIntrospectTokenFunction", agilicusError(400)),
            Map.entry("AgilicusReissueTokenFunction", agilicusError(400)),
            Map.entry("AgilicusRevokeTokenFunction", agilicusError(400)),
            Map.entry("KnetikListTokensFunction", knetikError(401)),
            Map.entry("KnetikGetTokenFunction", knetikError(401)),
            Map.entry("KnetikDeleteTokensFunction", knetikError(401)),
            // No upstream identity provider is configured in this folder: a page says so, never a redirect.
            Map.entry("StartUpstreamSignInFunction", page(404)),
            Map.entry("FinishUpstreamSignInFunction", page(404)),
            // A state this service did not sign leads nowhere, configured upstream or not.
            Map.entry("FinishUpstreamSignOutFunction", page(400)),
            Map.entry("BootstrapAdminFunction", result -> {
                assertFalse(result.path("created").asBoolean(), "the runner bootstrapped the admin of this folder");
                assertFalse(result.has("client_secret"), "no secret a second time");
            }),
            Map.entry("CleanupExpiredTokensFunction", result -> {
                assertEquals("cleanup", result.path("event").asText());
                assertTrue(result.path("deleted").isObject(), result.toString());
                assertFalse(result.path("truncated").asBoolean(), result.toString());
            }));

    @Test
    void everyEventFileGetsItsFunctionsAnswerInItsApisFormat() throws Exception {
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.list(EVENTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String functionId = file.getFileName().toString().replaceFirst("\\.json$", "");
                Consumer<JsonNode> expected = EXPECTED.get(functionId);
                if (expected == null && !ABSENT_LOCALLY.contains(functionId)) {
                    fail(file + " has no expectation here: add what its function answers");
                }

                Invocation invocation = invoke(functionId, "-e", file.toString());
                if (ABSENT_LOCALLY.contains(functionId)) {
                    // its Condition is false in the local signing mode (kms): the stack has no such function
                    assertEquals(2, invocation.status(), functionId + " is not in the stack:\n" + invocation.stderr());
                    assertTrue(invocation.stderr().contains("the template has no function " + functionId),
                            invocation.stderr());
                    checked.add(functionId);
                    continue;
                }

                assertEquals(0, invocation.status(), functionId + " exits 0:\n" + invocation.stderr());
                assertEquals(1, invocation.stdout().lines().count(), "the response alone on stdout: " + invocation.stdout());
                assertTrue(invocation.stderr().contains("REPORT RequestId: "), invocation.stderr());
                try {
                    expected.accept(JSON.readTree(invocation.stdout()));
                } catch (AssertionError e) {
                    throw new AssertionError(functionId + ": " + e.getMessage() + "\n" + invocation.stdout(), e);
                }
                checked.add(functionId);
            }
        }
        assertEquals(java.util.stream.Stream.concat(EXPECTED.keySet().stream(), ABSENT_LOCALLY.stream()).sorted().toList(),
                checked, "every function of the template has its event");
    }

    @Test
    void anInvokeSeesTheRunnersTokensAndTheRunnerSeesWhatAnInvokeMade() throws Exception {
        // GIVEN a token the running service issued over HTTP
        String token = runnerToken();

        // WHEN the introspection function is invoked with it, authenticated as the admin
        ObjectNode introspect = event("IntrospectTokenFunction");
        setHeader(introspect, "Authorization", basic(admin));
        introspect.put("body", "token=" + form(token));
        JsonNode introspected = apiResponse(invoke("IntrospectTokenFunction", "-e", write(introspect).toString()));

        // THEN it is the runner's live token
        assertEquals(200, introspected.path("statusCode").asInt(), introspected.toString());
        JsonNode claims = JSON.readTree(introspected.path("body").asText());
        assertTrue(claims.path("active").asBoolean(), claims.toString());
        assertEquals(admin.clientId(), claims.path("client_id").asText());

        // AND a client registered through an invoke is served by the runner at once
        ObjectNode create = event("CreateClientFunction");
        setHeader(create, "Cookie", "asc_auth_key=" + token);
        JsonNode created = apiResponse(invoke("CreateClientFunction", "-e", write(create).toString()));
        assertEquals(201, created.path("statusCode").asInt(), created.toString());
        String clientId = JSON.readTree(created.path("body").asText()).path("client_id").asText();
        HttpResponse<String> served = HTTP.send(HttpRequest.newBuilder(
                        URI.create(runner.baseUrl() + "/api/2.0/clients/" + clientId))
                .header("Authorization", "Bearer " + token)
                .header("x-api-key", runner.apiKey().orElseThrow())
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, served.statusCode(), served.body());
        assertEquals("My App", JSON.readTree(served.body()).path("name").asText());
    }

    @Test
    void theScheduledCleanupInvokedWithItsEventRemovesAnExpiredRowAndKeepsALiveOne() throws Exception {
        // GIVEN an access-token row expired an hour ago and a live one
        DynamoDbClient dynamoDb = DynamoDbLocal.clientFor(runnerDynamoDb());
        long now = Instant.now().getEpochSecond();
        putToken(dynamoDb, "AT#expired-invoke", now - 3600);
        putToken(dynamoDb, "AT#live-invoke", now + 3600);

        // WHEN the cleanup is invoked with the event its schedule sends
        Invocation invocation = invoke("CleanupExpiredTokensFunction", "-e",
                EVENTS.resolve("CleanupExpiredTokensFunction.json").toString());

        // THEN the expired row is gone, the live one stays, and the summary says so
        assertEquals(0, invocation.status(), invocation.stderr());
        JsonNode summary = JSON.readTree(invocation.stdout());
        assertTrue(summary.path("deleted").path("access_token").asInt() >= 1, summary.toString());
        assertFalse(exists(dynamoDb, "AT#expired-invoke"));
        assertTrue(exists(dynamoDb, "AT#live-invoke"));
    }

    record Invocation(int status, String stdout, String stderr) {
    }

    private static Invocation invoke(String... arguments) {
        List<String> args = new ArrayList<>(List.of(arguments));
        args.addAll(List.of("--data", data.toString(), "--template", TEMPLATE.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LocalInvoke.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                name -> name.startsWith("AWS_") ? null : System.getenv(name), Path.of(""));
        return new Invocation(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode apiResponse(Invocation invocation) throws Exception {
        assertEquals(0, invocation.status(), invocation.stderr());
        return JSON.readTree(invocation.stdout());
    }

    private static Consumer<JsonNode> ok(Consumer<JsonNode> body) {
        return response -> {
            assertEquals(200, response.path("statusCode").asInt());
            body.accept(jsonBody(response));
        };
    }

    private static Consumer<JsonNode> oauthError(int status, String error) {
        return response -> {
            assertEquals(status, response.path("statusCode").asInt());
            assertEquals(error, jsonBody(response).path("error").asText());
            assertEquals("no-store", response.path("headers").path("Cache-Control").asText());
        };
    }

    /** RFC 6750 §3: the resource's own error, invalid_token for the example token, and a Bearer challenge. */
    private static Consumer<JsonNode> bearerError(int status) {
        return response -> {
            assertEquals(status, response.path("statusCode").asInt());
            assertEquals("invalid_token", jsonBody(response).path("error").asText());
            assertTrue(response.path("headers").path("WWW-Authenticate").asText().startsWith("Bearer"), response.toString());
        };
    }

    private static Consumer<JsonNode> docSpaceError(int status) {
        return response -> {
            assertEquals(status, response.path("statusCode").asInt());
            JsonNode body = jsonBody(response);
            assertFalse(body.path("reason").asText().isEmpty(), "DocSpace's reason");
            assertEquals(status, body.path("status").asInt(), "RFC 9457 status");
        };
    }

    private static Consumer<JsonNode> agilicusError(int status) {
        return response -> {
            assertEquals(status, response.path("statusCode").asInt());
            JsonNode body = jsonBody(response);
            assertFalse(body.path("error_code").asText().isEmpty(), "Agilicus ErrorMessage.error_code");
            assertFalse(body.path("error_message").asText().isEmpty(), "Agilicus ErrorMessage.error_message");
        };
    }

    private static Consumer<JsonNode> knetikError(int status) {
        return response -> {
            assertEquals(status, response.path("statusCode").asInt());
            JsonNode body = jsonBody(response);
            assertEquals(status, body.path("code").asInt(), "Knetik Result.code");
            assertFalse(body.path("result").get(0).path("message").asText().isEmpty(), "Knetik Result.result[].message");
        };
    }

    private static Consumer<JsonNode> page(int status) {
        return response -> {
            assertEquals(status, response.path("statusCode").asInt());
            assertTrue(response.path("headers").path("Content-Type").asText().startsWith("text/html"));
            assertTrue(response.path("body").asText().startsWith("<!doctype html>"));
            assertEquals("DENY", response.path("headers").path("X-Frame-Options").asText());
        };
    }

    private static JsonNode jsonBody(JsonNode response) {
        assertTrue(response.path("headers").path("Content-Type").asText().startsWith("application/json"), response.toString());
        try {
            return JSON.readTree(response.path("body").asText());
        } catch (Exception e) {
            throw new AssertionError("the body is not JSON: " + response.path("body").asText());
        }
    }

    private static ObjectNode event(String functionId) throws Exception {
        return (ObjectNode) JSON.readTree(EVENTS.resolve(functionId + ".json").toFile());
    }

    /** Sets a header in both of an API Gateway event's header maps, as the gateway fills them. */
    private static void setHeader(ObjectNode event, String name, String value) {
        ((ObjectNode) event.path("headers")).put(name, value);
        ((ObjectNode) event.path("multiValueHeaders")).putArray(name).add(value);
    }

    private static Path write(ObjectNode event) throws Exception {
        Path file = Files.createTempFile(data, "event", ".json");
        JSON.writeValue(file.toFile(), event);
        return file;
    }

    private static String runnerToken() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(runner.baseUrl() + "/oauth2/token"))
                .header("Authorization", basic(admin))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("access_token").asText();
    }

    private static String runnerDynamoDb() {
        String prefix = "DynamoDB: DynamoDB Local at ";
        String endpoint = runner.output().stream().filter(line -> line.startsWith(prefix))
                .map(line -> line.substring(prefix.length(), line.indexOf(',')))
                .findFirst().orElse(null);
        assertNotNull(endpoint, "no DynamoDB endpoint in:\n" + runner.output());
        return endpoint;
    }

    private static void putToken(DynamoDbClient dynamoDb, String key, long expiresAt) {
        dynamoDb.putItem(r -> r.tableName("TokensTable").item(Map.of(
                "token_key", AttributeValue.fromS(key),
                "kind", AttributeValue.fromS("AT"),
                "expires_at", AttributeValue.fromN(Long.toString(expiresAt)),
                "expiry_shard", AttributeValue.fromS(ExpiryShards.of(expiresAt, key)))));
    }

    private static boolean exists(DynamoDbClient dynamoDb, String key) {
        return dynamoDb.getItem(r -> r.tableName("TokensTable").consistentRead(true)
                .key(Map.of("token_key", AttributeValue.fromS(key)))).hasItem();
    }

    private static String basic(AdminCredentials credentials) {
        String pair = form(credentials.clientId()) + ":" + form(credentials.clientSecret());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
