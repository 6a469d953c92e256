package dev.tokenservice.functions.clients;

import static dev.tokenservice.functions.clients.DocSpaceApi.json;
import static dev.tokenservice.functions.clients.DocSpaceApi.validClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.caching.ClientCache;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.functions.oauth.IntrospectTokenHandler;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.TokenSchema;
import dev.tokenservice.wiring.Priming;
import dev.tokenservice.wiring.Services;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bounded client cache (CLIENT_CACHE_SECONDS), on a clock the test moves: a client's row and its client-level
 * revocation record answered from what the container last read, for at most the bound. The DynamoDB reads are
 * counted on the wire (an interceptor on the service's own DynamoDB client).
 */
class ClientCacheTest {

    private final MutableClock clock = MutableClock.startingNow();
    private final Faults dynamoDb = new Faults();
    private DocSpaceApi api;
    private IntrospectTokenHandler introspection;
    private String owner;

    private void start(String cacheSeconds) {
        Services services = TestServices.create(clock, Map.of("CLIENT_CACHE_SECONDS", cacheSeconds), dynamoDb,
                TestServices::rsaKeys);
        api = new DocSpaceApi(services);
        introspection = new IntrospectTokenHandler(services);
        owner = api.tokenFor("owner-1", List.of(ServiceScopes.CLIENTS_WRITE));
    }

    @Test
    void aNewSecretWorksAtOnceWhileTheOldOneIsCached() {
        // GIVEN a client whose row this container has just read and cached
        start("1");
        JsonNode client = api.createOk(owner, validClient("Busy"));
        String clientId = client.path("client_id").asText();
        assertEquals(200, tokenStatus(clientId, client.path("client_secret").asText()));

        // WHEN its secret is regenerated THEN the new secret is accepted at the same instant: it does not match the
        // cached hash, so the row is read again
        String newSecret = json(api.regenerate(owner, clientId)).path("client_secret").asText();
        assertEquals(200, tokenStatus(clientId, newSecret));
    }

    @Test
    void anOldSecretBitesWithinTheBoundAndAtOnceWithZero() {
        for (String cacheSeconds : List.of("1", "0")) {
            // GIVEN a client that has just been issued a token with its secret
            start(cacheSeconds);
            JsonNode client = api.createOk(owner, validClient("Rotating"));
            String clientId = client.path("client_id").asText();
            String oldSecret = client.path("client_secret").asText();
            assertEquals(200, tokenStatus(clientId, oldSecret));

            // WHEN the secret is regenerated
            api.regenerate(owner, clientId);

            if (cacheSeconds.equals("1")) {
                // THEN within the bound the old secret may still be answered from the cache
                assertEquals(200, tokenStatus(clientId, oldSecret));
                clock.advance(Duration.ofSeconds(1));
            }
            // AND once the bound has passed (at once with 0) it is refused
            assertEquals(401, tokenStatus(clientId, oldSecret), "CLIENT_CACHE_SECONDS=" + cacheSeconds);
        }
    }

    @Test
    void aDeactivationBitesWithinTheBoundAndAtOnceWithZero() {
        for (String cacheSeconds : List.of("1", "0")) {
            // GIVEN a client that has just been issued a token
            start(cacheSeconds);
            JsonNode client = api.createOk(owner, validClient("Switched off"));
            String clientId = client.path("client_id").asText();
            String secret = client.path("client_secret").asText();
            assertEquals(200, tokenStatus(clientId, secret));

            // WHEN its owner deactivates it
            assertEquals(200, api.activation(owner, clientId, "{\"status\": false}").getStatusCode());

            // THEN its owner sees that at once (the management API reads consistently)
            assertEquals(false, json(api.get(owner, clientId)).path("enabled").asBoolean());
            if (cacheSeconds.equals("1")) {
                clock.advance(Duration.ofSeconds(1));
            }
            // AND new tokens are refused once the bound has passed (at once with 0)
            assertEquals(400, tokenStatus(clientId, secret), "CLIENT_CACHE_SECONDS=" + cacheSeconds);
        }
    }

    @Test
    void aReEnabledClientIsServedAtOnceThoughItsDisabledRowWasCached() {
        // GIVEN a client that was deactivated and then refused, so that its disabled row is what the cache holds
        start("1");
        JsonNode client = api.createOk(owner, validClient("Switched back on"));
        String clientId = client.path("client_id").asText();
        String secret = client.path("client_secret").asText();
        assertEquals(200, api.activation(owner, clientId, "{\"status\": false}").getStatusCode());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(400, tokenStatus(clientId, secret));

        // WHEN its owner activates it again THEN its secret is served at the same instant: a disabled row grants
        // nothing, so it is read again rather than answered from the cache
        assertEquals(200, api.activation(owner, clientId, "{\"status\": true}").getStatusCode());
        assertEquals(200, tokenStatus(clientId, secret));
    }

    @Test
    void aDeletionStopsTheClientAndItsTokensWithinTheBoundAndAtOnceWithZero() {
        for (String cacheSeconds : List.of("1", "0")) {
            // GIVEN a client with a token that has just been verified (its client-level revocation record read)
            start(cacheSeconds);
            JsonNode client = api.createOk(owner, validClient("Doomed"));
            String clientId = client.path("client_id").asText();
            String secret = client.path("client_secret").asText();
            String token = accessToken(clientId, secret);
            assertEquals(clientId, verify(token).clientId());

            // WHEN its owner deletes it
            assertEquals(200, api.delete(owner, clientId).getStatusCode());

            // THEN its owner sees it gone at once
            assertEquals(404, api.get(owner, clientId).getStatusCode());
            if (cacheSeconds.equals("1")) {
                clock.advance(Duration.ofSeconds(1));
            }
            // AND once the bound has passed (at once with 0) its tokens and its secret are refused
            assertEquals(401, assertThrows(ApiError.class, () -> verify(token)).status(),
                    "CLIENT_CACHE_SECONDS=" + cacheSeconds);
            assertEquals(401, tokenStatus(clientId, secret), "CLIENT_CACHE_SECONDS=" + cacheSeconds);
        }
    }

    @Test
    void aFloodOfWrongSecretsReadsTheRowABoundedNumberOfTimesAndTheRightSecretStillWorks() {
        // GIVEN a client whose row this container has cached
        start("1");
        JsonNode client = api.createOk(owner, validClient("Attacked"));
        String clientId = client.path("client_id").asText();
        String secret = client.path("client_secret").asText();
        assertEquals(200, tokenStatus(clientId, secret));

        for (int second = 0; second < 3; second++) {
            // WHEN a thousand wrong secrets arrive within one second
            int before = clientReads();
            for (int i = 0; i < 1000; i++) {
                int status = tokenStatus(clientId, "wrong-" + i);
                assertTrue(status == 401 || status == 429, "refused: " + status);
            }

            // THEN the row was read again at most the bound's number of times (and once for the expired entry)
            int reads = clientReads() - before;
            assertTrue(reads <= ClientCache.REREADS_PER_SECOND + 1, reads + " reads of the client row");
            // AND the right secret is still answered
            assertEquals(200, tokenStatus(clientId, secret));
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void aFloodForAnUnknownClientIdReadsABoundedNumberOfTimes() {
        start("1");
        int before = clientReads();

        for (int i = 0; i < 1000; i++) {
            assertTrue(tokenStatus("3f2b9c1e-0000-4000-8000-000000000000", "guess-" + i) >= 401);
        }

        int reads = clientReads() - before;
        assertTrue(reads <= ClientCache.REREADS_PER_SECOND + 1, reads + " reads of an unknown client's row");
    }

    @Test
    void aBusyClientReadsItsRowOncePerBoundAndIntrospectsWithFewerKeys() {
        for (String cacheSeconds : List.of("0", "1")) {
            // GIVEN a busy client, first request served
            start(cacheSeconds);
            JsonNode client = api.createOk(owner, validClient("Busy"));
            String clientId = client.path("client_id").asText();
            String secret = client.path("client_secret").asText();
            String token = accessToken(clientId, secret);
            assertTrue(introspect(clientId, secret, token).path("active").asBoolean());

            // WHEN it asks for 100 tokens and 100 introspections within one second
            int clientKeys = clientReads();
            int tokenKeys = dynamoDb.keysRead(tokensTable());
            for (int i = 0; i < 100; i++) {
                accessToken(clientId, secret);
            }
            double rowReadsPerToken = (clientReads() - clientKeys) / 100.0;
            clientKeys = clientReads();
            for (int i = 0; i < 100; i++) {
                assertTrue(introspect(clientId, secret, token).path("active").asBoolean());
            }
            double keysPerIntrospection = (clientReads() - clientKeys
                    + dynamoDb.keysRead(tokensTable()) - tokenKeys) / 100.0;

            // THEN with the cache the client's row is not read again within the bound, and an introspection reads
            // neither the row nor the client-level revocation record
            System.out.printf("CLIENT_CACHE_SECONDS=%s: client-row reads per client_credentials token %.2f, "
                    + "items read per introspection %.2f%n", cacheSeconds, rowReadsPerToken, keysPerIntrospection);
            if (cacheSeconds.equals("0")) {
                assertEquals(1.0, rowReadsPerToken);
                assertEquals(5.0, keysPerIntrospection);
            } else {
                assertEquals(0.0, rowReadsPerToken);
                assertEquals(3.0, keysPerIntrospection);
            }
        }
    }

    @Test
    void aRestoredContainerStartsWithAnEmptyCache() {
        // GIVEN a container that served a client and was primed
        start("1");
        JsonNode client = api.createOk(owner, validClient("Before the snapshot"));
        accessToken(client.path("client_id").asText(), client.path("client_secret").asText());
        assertTrue(api.services.clientCache().size() > 0);

        // WHEN the snapshot is taken and restored (every registered hook, as Lambda runs them)
        Priming.runRegistered();

        // THEN nothing read before it is answered after it
        assertEquals(0, api.services.clientCache().size());
    }

    private int clientReads() {
        return dynamoDb.keysRead(api.services.tables().of(ClientSchema.TABLE).tableName());
    }

    private String tokensTable() {
        return api.services.tables().of(TokenSchema.TABLE).tableName();
    }

    private int tokenStatus(String clientId, String secret) {
        return api.clientCredentials(clientId, secret).getStatusCode();
    }

    private String accessToken(String clientId, String secret) {
        var response = api.clientCredentials(clientId, secret);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return json(response).path("access_token").asText();
    }

    private Caller verify(String token) {
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent()
                .withHttpMethod("GET").withHeaders(Map.of("Authorization", "Bearer " + token));
        return api.services.callerAuthenticator().authenticate(new ApiRequest(event), DocSpaceApi.issuer());
    }

    private JsonNode introspect(String clientId, String secret, String token) {
        APIGatewayProxyRequestEvent request = Requests.request("POST", "/oauth2/introspect", "/oauth2/introspect",
                null, null);
        var headers = new HashMap<>(request.getHeaders());
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        request.setHeaders(headers);
        request.setBody("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        var response = introspection.handleRequest(request, null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        return json(response);
    }
}
