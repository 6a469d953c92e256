package dev.tokenservice.oauth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.testing.MutableClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key sets a container keeps for clients with a jwks_uri are bounded in number: a flood of clients, each with its
 * own jwks_uri, cannot grow a container's memory without limit; the least recently used set is dropped first.
 */
class ClientKeySetsTest {

    private static final int KEPT = 1_000;

    private final MutableClock clock = MutableClock.startingNow();
    private final AtomicInteger fetches = new AtomicInteger();
    private ServerSocket server;
    private ClientKeySets keySets;

    @BeforeEach
    void setUp() throws Exception {
        String keys = new JWKSet(new RSAKeyGenerator(2048).keyID("k").generate().toPublicJWK()).toString();
        byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + keys.length()
                + "\r\n\r\n" + keys).getBytes(StandardCharsets.UTF_8);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // A keep-alive server that writes each answer in one piece: the JDK's HttpServer writes the head and the body
        // apart, which costs a delayed acknowledgement (about 40 ms) per fetch, and this test fetches a thousand.
        Thread serving = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket connection = server.accept()) {
                    BufferedReader requests = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                            StandardCharsets.US_ASCII));
                    OutputStream out = connection.getOutputStream();
                    for (String line = requests.readLine(); line != null; line = requests.readLine()) {
                        if (line.isEmpty()) {
                            fetches.incrementAndGet();
                            out.write(answer);
                            out.flush();
                        }
                    }
                } catch (IOException closed) {
                    // the test is over, or the client closed its connection
                }
            }
        }, "jwks-server");
        serving.setDaemon(true);
        serving.start();
        keySets = new ClientKeySets(clock, true);
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    @Test
    void aThousandKeySetsAreKeptAndTheLeastRecentlyUsedGoesFirst() {
        // GIVEN a thousand clients' key sets fetched, the first one the least recently used
        for (int i = 0; i < KEPT; i++) {
            keySets.current(client(i));
        }
        assertEquals(KEPT, fetches.get());

        // THEN all thousand are kept, the first one included
        assertTrue(keySets.withoutFetching(client(0)).isPresent(), "the first of a thousand is still kept");

        // WHEN one more client's set is fetched
        keySets.current(client(KEPT));

        // THEN the least recently used one (the second: the first was just read) is dropped, and only it
        assertFalse(keySets.withoutFetching(client(1)).isPresent(), "dropped for the thousand-and-first");
        assertTrue(keySets.withoutFetching(client(0)).isPresent(), "kept: read more recently");
        assertTrue(keySets.withoutFetching(client(2)).isPresent());
        assertTrue(keySets.withoutFetching(client(KEPT)).isPresent());
    }

    private ClientItem client(int i) {
        ClientItem client = new ClientItem();
        client.setClientId("client-" + i);
        client.setJwksUri("http://127.0.0.1:" + server.getLocalPort() + "/jwks/" + i + ".json");
        return client;
    }
}
