package dev.tokenservice.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.tokens.TokenItem;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client cache's own bounds, without storage: its size, its age, and re-reads per second. */
class ClientCacheBoundsTest {

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void itRemembersAtMostMaxClientsForgettingTheLeastRecentlyUsed() {
        ClientCache<ClientItem, TokenItem> cache = new ClientCache<>(clock, Duration.ofSeconds(1));
        remember(cache, "first");
        for (int i = 0; i < ClientCache.MAX_CLIENTS; i++) {
            if (i == ClientCache.MAX_CLIENTS / 2) {
                assertFalse(cache.row("first", row -> true).readDue(), "used, so not the eldest any more");
            }
            remember(cache, "client-" + i);
        }

        assertEquals(ClientCache.MAX_CLIENTS, cache.size());
        assertFalse(cache.row("first", row -> true).readDue());
        assertTrue(cache.row("client-0", row -> true).readDue(), "the least recently used was forgotten");
    }

    @Test
    void aRowIsAnsweredForLessThanMaxAgeAndNeverWithZero() {
        ClientCache<ClientItem, TokenItem> cache = new ClientCache<>(clock, Duration.ofSeconds(1));
        remember(cache, "busy");
        clock.advance(Duration.ofMillis(999));
        assertFalse(cache.row("busy", row -> true).readDue());
        clock.advance(Duration.ofMillis(1));
        assertTrue(cache.row("busy", row -> true).readDue());

        ClientCache<ClientItem, TokenItem> none = new ClientCache<>(clock, Duration.ZERO);
        remember(none, "busy");
        assertTrue(none.row("busy", row -> true).readDue());
        assertEquals(0, none.size());
    }

    @Test
    void aRowThatWouldNotGrantIsReadAgainAtMostTheBoundPerSecondThenAnsweredAsLastRead() {
        ClientCache<ClientItem, TokenItem> cache = new ClientCache<>(clock, Duration.ofSeconds(60));
        remember(cache, "attacked");
        for (int second = 0; second < 3; second++) {
            for (int i = 0; i < ClientCache.REREADS_PER_SECOND; i++) {
                assertTrue(cache.row("attacked", row -> false).readDue());
            }
            ClientCache.Answer<ClientItem> beyond = cache.row("attacked", row -> false);
            assertFalse(beyond.readDue());
            assertTrue(beyond.cached().isPresent(), "answered from the row as last read, which refuses it");
            clock.advance(Duration.ofSeconds(1));
        }
    }

    private static void remember(ClientCache<ClientItem, TokenItem> cache, String clientId) {
        ClientItem row = new ClientItem();
        row.setClientId(clientId);
        cache.rowRead(clientId, Optional.of(row), cache.row(clientId, any -> true));
    }
}
