package dev.tokenservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.bootstrap.AdminBootstrap.AdminCredentials;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class AdminBootstrapTest {

    private final Services services = TestServices.create(MutableClock.startingNow());

    @Test
    void theFirstRunCreatesAnAdminWhoseSecretIsStoredOnlyAsAHash() {
        AdminCredentials admin = services.adminBootstrap().createFirstAdmin().orElseThrow();

        ClientItem stored = services.clientRepository().find(admin.clientId()).orElseThrow();
        assertTrue(services.secretHasher().matches(admin.clientSecret(), stored.getSecretHash()));
        assertNotEquals(admin.clientSecret(), stored.getSecretHash());
        assertEquals(ServiceScopes.ALL, stored.getScopes());
        assertTrue(stored.allowsGrant("client_credentials"));
        assertTrue(stored.isEnabled());
    }

    @Test
    void laterRunsCreateNothing() {
        services.adminBootstrap().createFirstAdmin().orElseThrow();

        assertTrue(services.adminBootstrap().createFirstAdmin().isEmpty());
    }

    @Test
    void concurrentStartsCreateExactlyOneAdmin() throws Exception {
        int starts = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(starts);
        try {
            List<Future<Optional<AdminCredentials>>> results = new ArrayList<>();
            for (int i = 0; i < starts; i++) {
                Callable<Optional<AdminCredentials>> start = () -> {
                    go.await();
                    return services.adminBootstrap().createFirstAdmin();
                };
                results.add(threads.submit(start));
            }
            go.countDown();
            long created = 0;
            for (Future<Optional<AdminCredentials>> result : results) {
                created += result.get().isPresent() ? 1 : 0;
            }
            assertEquals(1, created);
        } finally {
            threads.shutdownNow();
        }
    }
}
