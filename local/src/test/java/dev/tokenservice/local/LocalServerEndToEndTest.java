package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.local.LocalServerProcess.AdminCredentials;
import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.TemplateModel;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runner as a developer uses it: started from the command line in a JVM of its own, then
 * called over HTTP. One server is shared by the tests that only call it; restarts and throttling get
 * servers of their own.
 */
class LocalServerEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path sharedData;
    private static LocalServerProcess shared;
    private static AdminCredentials admin;

    private final List<LocalServerProcess> ownServers = new ArrayList<>();

    @BeforeAll
    static void startSharedServer() {
        shared = LocalServerProcess.start(sharedData);
        admin = shared.bootstrapCredentials()
                .orElseThrow(() -> new AssertionError("a fresh data folder prints the bootstrap admin:\n" + shared.output()));
    }

    @AfterAll
    static void stopSharedServer() {
        if (shared != null) {
            shared.close();
        }
    }

    @AfterEach
    void stopOwnServers() {
        ownServers.forEach(LocalServerProcess::close);
    }

    @Test
    void listensOnTheLoopbackAddressWithTheRealPort() {
        assertEquals("http://127.0.0.1:" + shared.port(), shared.baseUrl());
        assertTrue(shared.port() > 0);
    }

    @Test
    void bootstrapAdminGetsABearerTokenWithHttpBasic() throws Exception {
        HttpResponse<String> response = postToken(shared, basic(admin), "grant_type=client_credentials");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("Bearer", body.path("token_type").asText());
        assertEquals(3600, body.path("expires_in").asInt(), "the template's AccessTokenTtlSeconds default");
        assertEquals(admin.scope(), body.path("scope").asText());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null));
    }

    @Test
    void accessTokenVerifiesAgainstTheJwksAndNamesTheIssuerOfTheMetadata() throws Exception {
        String accessToken = token(shared, admin);
        JWKSet jwks = JWKSet.parse(get(shared, "/.well-known/jwks.json").body());
        JsonNode metadata = JSON.readTree(get(shared, "/.well-known/oauth-authorization-server").body());

        SignedJWT jwt = SignedJWT.parse(accessToken);
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(new JOSEObjectType("at+jwt"), jwt.getHeader().getType());
        String kid = jwt.getHeader().getKeyID();
        assertNotNull(kid, "the token names its key");
        JWK key = jwks.getKeyByKeyId(kid);
        assertNotNull(key, "the JWKS publishes the token's key " + kid);
        assertTrue(jwt.verify(new RSASSAVerifier(key.toRSAKey())), "the signature verifies with the published key");

        String issuer = metadata.path("issuer").asText();
        assertEquals(shared.baseUrl(), issuer, "locally the issuer is the URL the client called");
        assertEquals(issuer + "/oauth2/token", metadata.path("token_endpoint").asText());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(issuer, claims.getIssuer());
        assertEquals(admin.clientId(), claims.getStringClaim("client_id"));
        assertEquals(3600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
    }

    @Test
    void clientSecretPostWorksToo() throws Exception {
        HttpResponse<String> response = postToken(shared, null, "grant_type=client_credentials&client_id="
                + form(admin.clientId()) + "&client_secret=" + form(admin.clientSecret()));

        assertEquals(200, response.statusCode(), response.body());
        assertFalse(JSON.readTree(response.body()).path("access_token").asText().isEmpty());
    }

    @Test
    void wrongSecretIsRefusedAsInvalidClient() throws Exception {
        AdminCredentials wrong = new AdminCredentials(admin.clientId(), admin.clientSecret() + "x", admin.scope());

        HttpResponse<String> response = postToken(shared, basic(wrong), "grant_type=client_credentials");

        assertEquals(401, response.statusCode());
        assertEquals("invalid_client", JSON.readTree(response.body()).path("error").asText());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
    }

    @Test
    void pathsAndMethodsOutsideTheTemplateGetApiGatewaysAnswer() throws Exception {
        HttpResponse<String> unknownPath = get(shared, "/oauth2/nowhere");
        HttpResponse<String> wrongMethod = get(shared, "/oauth2/token");

        for (HttpResponse<String> response : List.of(unknownPath, wrongMethod)) {
            assertEquals(403, response.statusCode());
            assertEquals("Missing Authentication Token", JSON.readTree(response.body()).path("message").asText());
        }
    }

    @Test
    void routesRequiringAnApiKeyRefuseCallsWithoutThePrintedKey() throws Exception {
        List<ApiRoute> routes = TemplateModel.load(LocalOptions.findTemplate(Path.of("")), Map.of()).apiRoutes();
        List<ApiRoute> keyed = routes.stream().filter(ApiRoute::apiKeyRequired).toList();
        // README and docs/endpoints.md: every DocSpace route but public/info, every Knetik route, and Agilicus create and list need the key.
        List<ApiRoute> promised = routes.stream().filter(LocalServerEndToEndTest::readmeSaysNeedsApiKey).toList();
        assertTrue(promised.size() >= 17, "the management routes are in the template: " + promised);
        assertEquals(List.of(), promised.stream().filter(route -> !route.apiKeyRequired()).toList(),
                "routes README says need the API key but the template does not require it");
        String apiKey = shared.apiKey().orElseThrow(() -> new AssertionError("the runner prints the API key"));

        for (ApiRoute route : keyed) {
            String path = route.path().replaceAll("\\{[^}]+}", "x");
            for (String key : new String[] {null, apiKey + "-wrong"}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(shared.baseUrl() + path))
                        .timeout(Duration.ofSeconds(30))
                        .method(route.method(), HttpRequest.BodyPublishers.noBody());
                if (key != null) {
                    request.header("x-api-key", key);
                }
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, response.statusCode(), route + " with key " + key);
                assertEquals("Forbidden", JSON.readTree(response.body()).path("message").asText());
            }
        }
    }

    @Test
    void withThePrintedApiKeyAndABearerTokenTheManagementApiAnswers() throws Exception {
        assertTrue(TemplateModel.load(LocalOptions.findTemplate(Path.of("")), Map.of()).apiRoutes().stream()
                .anyMatch(r -> r.toString().equals("GET /api/2.0/scopes") && r.apiKeyRequired()),
                "GET /api/2.0/scopes requires the API key");
        String accessToken = token(shared, admin);

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(shared.baseUrl() + "/api/2.0/scopes"))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", shared.apiKey().orElseThrow())
                .header("Authorization", "Bearer " + accessToken)
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(JSON.readTree(response.body()).isArray());
    }

    @Test
    void restartOnTheSameDataFolderKeepsTheAdminAndTheSigningKey(@TempDir Path data) throws Exception {
        LocalServerProcess first = own(LocalServerProcess.start(data));
        AdminCredentials created = first.bootstrapCredentials().orElseThrow();
        String kidBefore = SignedJWT.parse(token(first, created)).getHeader().getKeyID();
        var apiKeyBefore = first.apiKey();
        first.close();

        LocalServerProcess second = own(LocalServerProcess.start(data));

        assertTrue(second.bootstrapCredentials().isEmpty(), "no new admin on a restart:\n" + second.output());
        assertTrue(second.output().stream().noneMatch(line -> line.contains("client_secret")), "no secret printed");
        assertTrue(second.output().stream().anyMatch(line -> line.contains("created on an earlier start")));
        String tokenAfter = token(second, created);
        assertEquals(kidBefore, SignedJWT.parse(tokenAfter).getHeader().getKeyID());
        assertEquals(kidBefore, JWKSet.parse(get(second, "/.well-known/jwks.json").body()).getKeys().get(0).getKeyID());
        assertEquals(apiKeyBefore, second.apiKey(), "the API key is kept too");
    }

    @Test
    void tokenEndpointOverItsThrottleGetsTheTemplatesThrottledResponse(@TempDir Path data) throws Exception {
        LocalServerProcess server = own(LocalServerProcess.start(data,
                "--parameter", "TokenEndpointBurstLimit=2", "--parameter", "TokenEndpointRateLimit=1"));
        AdminCredentials credentials = server.bootstrapCredentials().orElseThrow();

        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            burst.add(HTTP.sendAsync(tokenRequest(server, basic(credentials), "grant_type=client_credentials"),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (var response : burst) {
            responses.add(response.get(30, TimeUnit.SECONDS));
        }

        assertTrue(responses.stream().anyMatch(r -> r.statusCode() == 200), "the burst admits the first requests");
        HttpResponse<String> throttled = responses.stream().filter(r -> r.statusCode() == 429).findFirst()
                .orElseThrow(() -> new AssertionError("6 requests against a burst of 2 at 1/s: none throttled"));
        assertEquals("1", throttled.headers().firstValue("Retry-After").orElse(null));
        JsonNode body = JSON.readTree(throttled.body());
        assertEquals("slow_down", body.path("error").asText());
        assertFalse(body.path("reason").asText().isEmpty());
        assertEquals(200, get(server, "/.well-known/jwks.json").statusCode(), "other methods have their own limit");
    }

    @Test
    void scheduledCleanupRunsOnItsScheduleAndRemovesOnlyWhatHasExpired(@TempDir Path data) throws Exception {
        LocalServerProcess server = own(LocalServerProcess.start(data, "--schedule-every", "1"));
        String endpoint = server.output().stream().filter(line -> line.startsWith("DynamoDB: DynamoDB Local at "))
                .map(line -> line.substring("DynamoDB: DynamoDB Local at ".length(), line.indexOf(',')))
                .findFirst().orElseThrow(() -> new AssertionError("no DynamoDB endpoint in:\n" + server.output()));
        var dynamoDb = dev.tokenservice.testing.DynamoDbLocal.clientFor(endpoint);
        long now = java.time.Instant.now().getEpochSecond();
        putToken(dynamoDb, "AT#expired-e2e", now - 3600);
        putToken(dynamoDb, "AT#live-e2e", now + 3600);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean removed = false;
        while (!removed && System.nanoTime() < deadline) {
            Thread.sleep(250);
            removed = !dynamoDb.getItem(r -> r.tableName("TokensTable").consistentRead(true)
                    .key(Map.of("token_key", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                            "AT#expired-e2e")))).hasItem();
        }

        assertTrue(removed, "the expired row is still there after 30 s:\n" + String.join("\n", server.output()));
        // The summary is printed when the run ends, a moment after its deletes are visible.
        while (System.nanoTime() < deadline && server.output().stream().noneMatch(l -> l.contains("\"event\":\"cleanup\""))) {
            Thread.sleep(100);
        }
        assertTrue(dynamoDb.getItem(r -> r.tableName("TokensTable").consistentRead(true)
                .key(Map.of("token_key", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                        "AT#live-e2e")))).hasItem(), "the live row stays");
        assertTrue(server.output().stream().anyMatch(line -> line.contains("\"event\":\"cleanup\"")
                && line.contains("\"duration_ms\"")), "the summary line is printed:\n" + server.output());
        assertTrue(server.output().stream().anyMatch(line -> line.contains("schedule CleanupSchedule")));
    }

    @Test
    void wrappedModeAgainstAKmsEndpointCreatesItsFirstKeyOnScheduleAndSignsWithIt(@TempDir Path data) throws Exception {
        // GIVEN a KMS endpoint that generates data key pairs (moto behind the tests' KeyPairKms) and SigningMode=wrapped
        try (var kms = dev.tokenservice.testing.KeyPairKms.start()) {
            LocalServerProcess server = own(LocalServerProcess.start(data,
                    Map.of("AWS_ENDPOINT_URL_KMS", kms.endpoint()),
                    "--parameter", "SigningMode=wrapped", "--schedule-every", "1"));
            AdminCredentials credentials = server.bootstrapCredentials().orElseThrow();

            // WHEN the scheduled rotation has run (the JWKS is empty until then)
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JWKSet published = JWKSet.parse(get(server, "/.well-known/jwks.json").body());
            while (published.getKeys().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                published = JWKSet.parse(get(server, "/.well-known/jwks.json").body());
            }
            assertEquals(1, published.getKeys().size(), "no key after 60 s:\n" + String.join("\n", server.output()));

            // THEN a token is signed by that key and verifies against the JWKS
            SignedJWT jwt = SignedJWT.parse(token(server, credentials));
            var key = published.getKeyByKeyId(jwt.getHeader().getKeyID());
            assertTrue(key != null, "the token's kid is published");
            assertTrue(jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(key.toRSAKey())));
            assertTrue(kms.generatedKeyPairs() >= 1);
            assertTrue(server.output().stream().anyMatch(line -> line.contains("schedule SigningKeyRotationSchedule")));
        }
    }

    private static void putToken(software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamoDb, String key,
            long expiresAt) {
        dynamoDb.putItem(r -> r.tableName("TokensTable").item(Map.of(
                "token_key", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(key),
                "kind", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("AT"),
                "expires_at", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(expiresAt)),
                "expiry_shard", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                        dev.tokenservice.tokens.ExpiryShards.of(expiresAt, key)))));
    }

    private LocalServerProcess own(LocalServerProcess server) {
        ownServers.add(server);
        return server;
    }

    private static String token(LocalServerProcess server, AdminCredentials credentials) throws Exception {
        HttpResponse<String> response = postToken(server, basic(credentials), "grant_type=client_credentials");
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("access_token").asText();
    }

    private static HttpResponse<String> postToken(LocalServerProcess server, String authorization, String form)
            throws Exception {
        return HTTP.send(tokenRequest(server, authorization, form), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest tokenRequest(LocalServerProcess server, String authorization, String form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static HttpResponse<String> get(LocalServerProcess server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(AdminCredentials credentials) {
        String pair = form(credentials.clientId()) + ":" + form(credentials.clientSecret());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static boolean readmeSaysNeedsApiKey(ApiRoute route) {
        String path = route.path();
        return (path.startsWith("/api/2.0/") && !path.endsWith("/public/info"))
                || path.startsWith("/auth/tokens")
                || path.equals("/v1/tokens");
    }
}
