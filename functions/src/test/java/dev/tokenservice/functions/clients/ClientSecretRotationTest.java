package dev.tokenservice.functions.clients;

import static dev.tokenservice.functions.clients.DocSpaceApi.json;
import static dev.tokenservice.functions.clients.DocSpaceApi.validClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secret rotation without downtime: a new secret while the previous one keeps working for the chosen overlap, and
 * not a second longer (by the clock, with the container's client cache in place); the overlap listed by its times
 * only, and ended early on request; DocSpace's regenerate still ends every old secret.
 */
class ClientSecretRotationTest {

    private static final String SECRETS = DocSpaceApi.CLIENTS + "/{clientId}/secrets";

    private final MutableClock clock = MutableClock.startingNow();
    private DocSpaceApi api;
    private RotateClientSecretHandler rotate;
    private ListClientSecretsHandler list;
    private EndSecretOverlapHandler end;
    private String owner;
    private String clientId;
    private String firstSecret;

    @BeforeEach
    void setUp() {
        // The default client cache (1 s): the overlap's end must bite even for a row the container holds.
        var services = TestServices.create(clock, Map.of());
        api = new DocSpaceApi(services);
        rotate = new RotateClientSecretHandler(services);
        list = new ListClientSecretsHandler(services);
        end = new EndSecretOverlapHandler(services);
        owner = api.tokenFor("user-1", List.of(ServiceScopes.CLIENTS_WRITE));
        JsonNode created = api.createOk(owner, validClient("Rotating App"));
        clientId = created.path("client_id").asText();
        firstSecret = created.path("client_secret").asText();
    }

    @Test
    void thePreviousSecretWorksInsideTheOverlapAndNotASecondAfter() {
        assertEquals(200, api.clientCredentials(clientId, firstSecret).getStatusCode());

        APIGatewayProxyResponseEvent rotated = rotate(clientId, "{\"overlap_seconds\": 600}");

        assertEquals(201, rotated.getStatusCode(), rotated.getBody());
        assertEquals("no-store", rotated.getHeaders().get("Cache-Control"));
        String secondSecret = json(rotated).path("client_secret").asText();
        assertEquals(200, api.clientCredentials(clientId, secondSecret).getStatusCode(), "the new one at once");
        assertEquals(200, api.clientCredentials(clientId, firstSecret).getStatusCode(), "the old one still");
        clock.advance(Duration.ofSeconds(599));
        assertEquals(200, api.clientCredentials(clientId, firstSecret).getStatusCode(), "the overlap's last second");

        clock.advance(Duration.ofSeconds(1));

        assertEquals(401, api.clientCredentials(clientId, firstSecret).getStatusCode(), "ended by the clock");
        assertEquals(200, api.clientCredentials(clientId, secondSecret).getStatusCode());
    }

    @Test
    void theListingGivesBothSecretsTimesButNeverAValueOrAHash() {
        String secondSecret = json(rotate(clientId, "{\"overlap_seconds\": 3600}")).path("client_secret").asText();
        ClientItem stored = api.services.clientRepository().find(clientId).orElseThrow();

        APIGatewayProxyResponseEvent listed = list(clientId);

        assertEquals(200, listed.getStatusCode(), listed.getBody());
        JsonNode secrets = json(listed).path("secrets");
        assertEquals(2, secrets.size());
        assertEquals("current", secrets.path(0).path("status").asText());
        assertTrue(secrets.path(0).path("expires_on").isNull());
        assertEquals("previous", secrets.path(1).path("status").asText());
        assertEquals(clock.instant().plusSeconds(3600).getEpochSecond(),
                java.time.Instant.parse(secrets.path(1).path("expires_on").asText()).getEpochSecond());
        assertTrue(secrets.path(1).path("created_on").isTextual(), "the first secret's creation time");
        for (String hidden : List.of(firstSecret, secondSecret, stored.getSecretHash(), stored.getPreviousSecretHash())) {
            assertFalse(listed.getBody().contains(hidden), "the listing shows no value and no hash");
        }
    }

    @Test
    void endingTheOverlapEarlyStopsThePreviousSecretWithinTheCacheBound() {
        String secondSecret = json(rotate(clientId, "{}")).path("client_secret").asText();
        assertEquals(200, api.clientCredentials(clientId, firstSecret).getStatusCode());

        APIGatewayProxyResponseEvent ended = end(clientId);

        assertEquals(200, ended.getStatusCode(), ended.getBody());
        assertEquals(1, json(ended).path("secrets").size());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(401, api.clientCredentials(clientId, firstSecret).getStatusCode());
        assertEquals(200, api.clientCredentials(clientId, secondSecret).getStatusCode());
        assertEquals(1, json(list(clientId)).path("secrets").size());
    }

    @Test
    void regenerateDuringAnOverlapEndsBothOldSecrets() {
        String secondSecret = json(rotate(clientId, "{\"overlap_seconds\": 3600}")).path("client_secret").asText();

        String thirdSecret = json(api.regenerate(owner, clientId)).path("client_secret").asText();

        clock.advance(Duration.ofSeconds(1));
        assertEquals(401, api.clientCredentials(clientId, firstSecret).getStatusCode());
        assertEquals(401, api.clientCredentials(clientId, secondSecret).getStatusCode());
        assertEquals(200, api.clientCredentials(clientId, thirdSecret).getStatusCode());
        assertEquals(1, json(list(clientId)).path("secrets").size());
    }

    @Test
    void aSecondRotationWaitsForTheOverlapToEndAndBadInputNamesTheField() {
        assertEquals(201, rotate(clientId, null).getStatusCode(), "no body: the default overlap");

        APIGatewayProxyResponseEvent again = rotate(clientId, "{\"overlap_seconds\": 60}");
        assertEquals(409, again.getStatusCode(), again.getBody());
        assertTrue(json(again).path("reason").asText().contains("overlap"));
        assertEquals(200, end(clientId).getStatusCode());
        assertEquals(201, rotate(clientId, "{\"overlap_seconds\": 60}").getStatusCode());

        for (String body : List.of("{\"overlap_seconds\": 0}", "{\"overlap_seconds\": 2592001}",
                "{\"overlap_seconds\": \"1h\"}")) {
            APIGatewayProxyResponseEvent refused = rotate(clientId, body);
            assertEquals(400, refused.getStatusCode(), body);
            assertTrue(json(refused).path("reason").asText().startsWith("overlap_seconds"), refused.getBody());
        }
    }

    @Test
    void onlyTheOwnerMayRotateAndAKeyClientHasNoSecretToRotate() {
        String stranger = api.tokenFor("user-2", List.of(ServiceScopes.CLIENTS_WRITE));
        assertEquals(404, rotate.handleRequest(Requests.request("POST", SECRETS, DocSpaceApi.CLIENTS + "/" + clientId
                + "/secrets", stranger, "{}"), null).getStatusCode());
        assertEquals(404, list.handleRequest(Requests.request("GET", SECRETS, DocSpaceApi.CLIENTS + "/" + clientId
                + "/secrets", stranger, null), null).getStatusCode());
        assertEquals(200, api.clientCredentials(clientId, firstSecret).getStatusCode(), "nothing changed");

        var keyClient = validClient("Key App").put("allow_pkce", false).put("token_endpoint_auth_method",
                "private_key_jwt").put("jwks_uri", "https://keys.example.com/jwks.json");
        String keyClientId = api.createOk(owner, keyClient).path("client_id").asText();
        APIGatewayProxyResponseEvent refused = rotate(keyClientId, "{}");
        assertEquals(400, refused.getStatusCode());
        assertTrue(json(refused).path("reason").asText().contains("private_key_jwt, not a secret"));
        assertEquals(400, api.regenerate(owner, keyClientId).getStatusCode());
    }

    private APIGatewayProxyResponseEvent rotate(String id, String body) {
        return rotate.handleRequest(Requests.request("POST", SECRETS, DocSpaceApi.CLIENTS + "/" + id + "/secrets",
                owner, body), null);
    }

    private APIGatewayProxyResponseEvent list(String id) {
        return list.handleRequest(Requests.request("GET", SECRETS, DocSpaceApi.CLIENTS + "/" + id + "/secrets",
                owner, null), null);
    }

    private APIGatewayProxyResponseEvent end(String id) {
        return end.handleRequest(Requests.request("DELETE", SECRETS + "/previous", DocSpaceApi.CLIENTS + "/" + id
                + "/secrets/previous", owner, null), null);
    }
}
