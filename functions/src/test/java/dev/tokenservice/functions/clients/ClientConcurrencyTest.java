package dev.tokenservice.functions.clients;

import static dev.tokenservice.functions.clients.DocSpaceApi.json;
import static dev.tokenservice.functions.clients.DocSpaceApi.validClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Concurrent changes to one client: conditional writes, so nothing is lost and one secret stays valid. */
class ClientConcurrencyTest {

    private static final int THREADS = 6;

    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    private DocSpaceApi api;
    private String owner;

    @BeforeEach
    void setUp() {
        api = new DocSpaceApi(TestServices.create(MutableClock.startingNow()));
        owner = api.tokenFor("user-1", List.of(ServiceScopes.CLIENTS_WRITE));
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void concurrentRegenerationsLeaveExactlyOneValidSecret() throws Exception {
        String clientId = api.createOk(owner, validClient("Racy")).path("client_id").asText();

        List<APIGatewayProxyResponseEvent> responses = all(() -> api.regenerate(owner, clientId));

        int valid = 0;
        for (APIGatewayProxyResponseEvent response : responses) {
            assertEquals(200, response.getStatusCode(), response.getBody());
            String secret = json(response).path("client_secret").asText();
            valid += api.clientCredentials(clientId, secret).getStatusCode() == 200 ? 1 : 0;
        }
        assertEquals(1, valid);
    }

    @Test
    void concurrentUpdatesAndActivationChangesAreAllApplied() throws Exception {
        String clientId = api.createOk(owner, validClient("Racy")).path("client_id").asText();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<APIGatewayProxyResponseEvent>> futures = new ArrayList<>();
        futures.add(threads.submit(() -> {
            go.await();
            return api.activation(owner, clientId, "{\"status\": false}");
        }));
        for (int i = 0; i < THREADS - 1; i++) {
            String name = "Renamed " + i;
            futures.add(threads.submit(() -> {
                go.await();
                return api.update(owner, clientId, validClient(name).toString());
            }));
        }
        go.countDown();
        for (Future<APIGatewayProxyResponseEvent> future : futures) {
            assertEquals(200, future.get().getStatusCode(), future.get().getBody());
        }

        JsonNode client = json(api.get(owner, clientId));
        assertFalse(client.path("enabled").asBoolean(), "the activation change was not lost to an update");
        assertEquals("Renamed", client.path("name").asText().substring(0, 7));
    }

    @Test
    void concurrentCreatesNeverExceedTheQuota() throws Exception {
        for (int i = 0; i < 7; i++) {
            api.createOk(owner, validClient("Existing " + i));
        }

        List<APIGatewayProxyResponseEvent> responses = all(() -> api.create(owner, validClient("Racing").toString()));

        long created = responses.stream().filter(r -> r.getStatusCode() == 201).count();
        assertEquals(3, created);
        assertEquals(10, json(api.list(owner, "?limit=50")).path("data").size());
    }

    private List<APIGatewayProxyResponseEvent> all(Callable<APIGatewayProxyResponseEvent> call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<APIGatewayProxyResponseEvent>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(threads.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        List<APIGatewayProxyResponseEvent> responses = new ArrayList<>();
        for (Future<APIGatewayProxyResponseEvent> future : futures) {
            responses.add(future.get());
        }
        return responses;
    }
}
