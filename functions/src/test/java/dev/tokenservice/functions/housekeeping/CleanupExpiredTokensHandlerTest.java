package dev.tokenservice.functions.housekeeping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.consents.ConsentItem;
import dev.tokenservice.consents.ConsentSchema;
import dev.tokenservice.functions.clients.CreateClientHandler;
import dev.tokenservice.functions.clients.DeleteClientHandler;
import dev.tokenservice.functions.clients.RevokeClientConsentHandler;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.oauth.token.AuthorizationCodes;
import dev.tokenservice.oauth.token.RefreshTokens;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.testing.AtRest;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The scheduled cleanup over DynamoDB Local, fed by events/CleanupExpiredTokensFunction.json: rows of every
 * kind are written by the code that writes them in production (token issuing, refresh tokens, codes,
 * revocations, consent revocation, client deletion), some expire, and exactly those are removed.
 */
class CleanupExpiredTokensHandlerTest {

    private static final String CLIENTS = "/api/2.0/clients";

    /** Late evening UTC, so that the run three hours later also crosses into the next day's partitions. */
    private final MutableClock clock = new MutableClock(Instant.parse("2030-03-01T22:00:00Z"));
    /** Rows are left to TTL for half an hour here (DynamoDB Local has none), so three hours on all are past it. */
    private final Services services = TestServices.create(clock, Map.of("REFRESH_TOKEN_TTL_SECONDS", "7200",
            "CLEANUP_TTL_GRACE_SECONDS", "1800"));
    private final RefreshTokens refreshTokens = new RefreshTokens(services.tokenRepository(), clock, Duration.ofHours(2));
    private final AuthorizationCodes codes = new AuthorizationCodes(services.tokenRepository(), clock, Duration.ofHours(2));

    @Test
    void removesExactlyWhatHasExpiredOfEveryKindAndNothingLive() throws Exception {
        // GIVEN rows written three hours ago: expired by now, except a token issued for four hours
        String admin = Requests.token(services, "admin-1", List.of(ServiceScopes.CLIENTS_ADMIN, ServiceScopes.CLIENTS_WRITE));
        String user = Requests.token(services, "user-1", List.of(ServiceScopes.CLIENTS_WRITE));
        String oldAccess = jtiKey(Requests.token(services, "svc", List.of()));
        String longAccess = jtiKey(accessToken("svc", Duration.ofHours(4)));
        String oldRefresh = refreshKey(refreshTokens.issue("c-1", "user-1", List.of("openid"), "session-old", null,
                clock.millis(), UserClaims.NONE, List.of(), null));
        String oldCode = codeKey(codes.issue("c-1", signedIn("user-1"), "https://app.example.com/cb", List.of("openid"), null, null));
        services.tokenRepository().revokeSession("session-old", clock.instant().plus(Duration.ofHours(2)).getEpochSecond());
        String kept = createClient(admin, "Kept client");
        String deleted = createClient(admin, "Deleted client");
        consent(kept, "user-1");
        assertEquals(200, new RevokeClientConsentHandler(services).handleRequest(Requests.request("DELETE",
                CLIENTS + "/{clientId}/revoke", CLIENTS + "/" + kept + "/revoke", user, null), null).getStatusCode());
        assertEquals(200, new DeleteClientHandler(services).handleRequest(Requests.request("DELETE",
                CLIENTS + "/{clientId}", CLIENTS + "/" + deleted, admin, null), null).getStatusCode());
        // a consent the deletion could not remove (the scheduled cleanup must finish the job)
        consent(deleted, "user-2");
        consent(kept, "user-3");

        // AND rows written now, all live
        clock.advance(Duration.ofHours(3));
        String liveAccess = jtiKey(Requests.token(services, "svc", List.of()));
        String liveRefresh = refreshKey(refreshTokens.issue("c-1", "user-1", List.of("openid"), "session-live", null,
                clock.millis(), UserClaims.NONE, List.of(), null));
        String liveCode = codeKey(codes.issue("c-1", signedIn("user-1"), "https://app.example.com/cb", List.of("openid"), null, null));
        services.tokenRepository().revokeSession("session-live", clock.instant().plus(Duration.ofHours(2)).getEpochSecond());
        Set<String> before = tokenKeys();

        // WHEN the scheduled function runs on its event
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        Map<String, Object> result;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            result = new CleanupExpiredTokensHandler(services).handleRequest(scheduledEvent(), null);
        } finally {
            System.setOut(original);
        }

        // THEN exactly the expired rows are gone
        Set<String> after = tokenKeys();
        Set<String> removed = new HashSet<>(before);
        removed.removeAll(after);
        Set<String> expected = Set.of(jtiKey(admin), jtiKey(user), oldAccess, oldRefresh, oldCode,
                TokenKeys.sessionRevocation("session-old"), TokenKeys.subjectAtClientRevocation(kept, "user-1"),
                TokenKeys.clientRevocation(deleted), TokenKeys.consentCleanup(deleted));
        assertEquals(expected, removed);
        assertTrue(after.containsAll(List.of(longAccess, liveAccess, liveRefresh, liveCode,
                TokenKeys.sessionRevocation("session-live"))));
        // AND the consent the deleted client left is gone, the live client's stays
        assertFalse(consentExists(deleted, "user-2"));
        assertTrue(consentExists(kept, "user-3"));

        // AND the result and the one JSON summary line count them by kind
        @SuppressWarnings("unchecked")
        Map<String, Long> counts = (Map<String, Long>) result.get("deleted");
        assertEquals(Map.of("access_token", 3L, "refresh_token", 1L, "authorization_code", 1L, "revocation", 3L,
                "consent", 1L, "housekeeping", 1L, "other", 0L), counts);
        assertEquals(false, result.get("truncated"));
        JsonNode line = out.toString(StandardCharsets.UTF_8).lines().map(CleanupExpiredTokensHandlerTest::json)
                .filter(l -> "cleanup".equals(l.path("event").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no summary line in: " + out));
        assertEquals(10, line.path("deleted_total").asLong());
        assertEquals(3, line.path("deleted").path("revocation").asLong());
        assertTrue(line.path("duration_ms").isNumber());
        assertFalse(line.path("truncated").asBoolean());
        assertEquals("INFO", line.path("level").asText());

        // AND a second run finds nothing more, starting from the day it left off
        Map<String, Object> again = new CleanupExpiredTokensHandler(services).handleRequest(scheduledEvent(), null);
        assertEquals(0L, ((Map<?, ?>) again.get("deleted")).values().stream().mapToLong(v -> (Long) v).sum());
        assertEquals("2030-03-01", again.get("from_day"));
    }

    @Test
    void aDeletedClientsLeftoverConsentsGoOnTheNextRunWhileExpiredTokensAreLeftToTtl() throws Exception {
        // GIVEN the deployed grace (rows are TTL's for days), a token that expired minutes ago
        Services deployed = TestServices.create(clock);
        String admin = Requests.token(deployed, "admin-1", List.of(ServiceScopes.CLIENTS_ADMIN, ServiceScopes.CLIENTS_WRITE));
        String expired = jtiKey(deployed.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, "svc",
                "svc", List.of(), List.of(TestServices.ISSUER), Duration.ofMinutes(1))).value());
        // AND a deleted client whose consent the deletion could not remove
        String gone = createClient(deployed, admin, "Deleted client");
        assertEquals(200, new DeleteClientHandler(deployed).handleRequest(Requests.request("DELETE",
                CLIENTS + "/{clientId}", CLIENTS + "/" + gone, admin, null), null).getStatusCode());
        consent(deployed, gone, "user-2");
        clock.advance(Duration.ofMinutes(5));

        // WHEN the scheduled function runs
        new CleanupExpiredTokensHandler(deployed).handleRequest(scheduledEvent(), null);

        // THEN the task is done on time (TTL cannot run it), and the expired token is left to TTL
        assertFalse(consentExists(deployed, gone, "user-2"));
        assertTrue(deployed.tokenRepository().find(expired).isPresent());
    }

    private String createClient(String admin, String name) {
        return createClient(services, admin, name);
    }

    private static String createClient(Services services, String admin, String name) {
        JsonNode body = Json.object().put("name", name).put("description", "demo")
                .put("logo", "data:image/png;base64,iVBORw0KGgo=").put("website_url", "https://app.example.com")
                .put("logout_redirect_uri", "https://app.example.com/bye")
                .put("terms_url", "https://app.example.com/terms").put("policy_url", "https://app.example.com/privacy")
                .put("allow_pkce", false);
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).putArray("redirect_uris").add("https://app.example.com/cb");
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).putArray("allowed_origins").add("https://app.example.com");
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).putArray("scopes").add("openid");
        APIGatewayProxyResponseEvent response = new CreateClientHandler(services)
                .handleRequest(Requests.request("POST", CLIENTS, CLIENTS, admin, body.toString()), null);
        assertEquals(201, response.getStatusCode(), response.getBody());
        return json(response.getBody()).path("client_id").asText();
    }

    private void consent(String clientId, String principal) {
        consent(services, clientId, principal);
    }

    private void consent(Services services, String clientId, String principal) {
        ConsentItem consent = new ConsentItem();
        consent.setClientId(clientId);
        consent.setPrincipal(principal);
        consent.setScopes("openid");
        consent.setModifiedAt(Timestamps.format(clock.instant()));
        services.tables().of(ConsentSchema.TABLE).putItem(consent);
    }

    private boolean consentExists(String clientId, String principal) {
        return consentExists(services, clientId, principal);
    }

    private static boolean consentExists(Services services, String clientId, String principal) {
        return DynamoDbLocal.shared().client().getItem(r -> r.tableName(services.settings().consentsTable())
                .key(Map.of("client_id", AttributeValue.fromS(clientId), "principal", AttributeValue.fromS(principal)))
                .consistentRead(true)).hasItem();
    }

    private String accessToken(String subject, Duration ttl) {
        return services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, subject, subject,
                List.of(), List.of(TestServices.ISSUER), ttl)).value();
    }

    private Set<String> tokenKeys() {
        Set<String> keys = new HashSet<>();
        DynamoDbLocal.shared().client().scanPaginator(r -> r.tableName(services.settings().tokensTable()))
                .items().forEach(item -> keys.add(item.get("token_key").s()));
        keys.remove("HK#CLEANUP");
        return keys;
    }

    private static String jtiKey(String jwt) throws Exception {
        return TokenKeys.accessToken(SignedJWT.parse(jwt).getJWTClaimsSet().getJWTID());
    }

    private static String refreshKey(String value) {
        return TokenKeys.refreshToken(sha256(value));
    }

    private static String codeKey(String value) {
        return TokenKeys.authorizationCode(sha256(value));
    }

    /** Computed here, not by the code under test, so a broken hash fails the test rather than agreeing with it. */
    private static String sha256(String value) {
        return AtRest.sha256(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> scheduledEvent() throws Exception {
        Path file = DynamoDbLocal.templatePath().getParent().resolve("events/CleanupExpiredTokensFunction.json");
        return Json.MAPPER.readValue(Files.readString(file), Map.class);
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception notJson) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private static Session signedIn(String subject) {
        return new Session(subject, "browser-session", "login-front-end", 0, 0, UserClaims.NONE);
    }
}
