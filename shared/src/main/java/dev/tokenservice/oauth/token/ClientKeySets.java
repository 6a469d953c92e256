package dev.tokenservice.oauth.token;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientKeys;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Log;
import dev.tokenservice.oauth.OAuthErrors;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The public keys a private_key_jwt client signs with: its inline JWKS, or the set at its jwks_uri, fetched with
 * bounded time and size and kept per container. A key id the kept set lacks makes one fetch again (the client may
 * have rotated), at most once per {@link #MIN_REFETCH_INTERVAL} per URI, so assertions with made-up key ids cannot
 * turn this service into a load generator against the client's server. A fetch that fails is the client's failure
 * to authenticate (401 invalid_client), never a 5xx.
 */
public final class ClientKeySets {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration MAX_AGE = Duration.ofMinutes(5);
    public static final Duration MIN_REFETCH_INTERVAL = Duration.ofSeconds(10);
    private static final int MAX_URIS = 1_000;

    private final Supplier<HttpClient> http;
    private final Clock clock;
    private final boolean loopbackHttpAllowed;
    private final Map<String, Fetched> fetched = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Fetched> eldest) {
            return size() > MAX_URIS;
        }
    };

    /**
     * The HTTP client is made on the first fetch, not in the init phase: most containers never fetch, and none
     * carries its selector thread into a SnapStart snapshot.
     */
    public ClientKeySets(Clock clock, boolean loopbackHttpAllowed) {
        this(new Supplier<>() {
            private HttpClient client;

            @Override
            public synchronized HttpClient get() {
                if (client == null) {
                    client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                }
                return client;
            }
        }, clock, loopbackHttpAllowed);
    }

    public ClientKeySets(Supplier<HttpClient> http, Clock clock, boolean loopbackHttpAllowed) {
        this.http = http;
        this.clock = clock;
        this.loopbackHttpAllowed = loopbackHttpAllowed;
    }

    private record Fetched(JWKSet keys, long fetchedAtMillis) {
    }

    /** The client's keys as known without any network call: inline, or fetched earlier within maxAge; else empty. */
    public Optional<JWKSet> withoutFetching(ClientItem client) {
        if (client.getJwks() != null) {
            return Optional.of(inline(client));
        }
        if (client.getJwksUri() == null) {
            return Optional.empty();
        }
        synchronized (fetched) {
            Fetched kept = fetched.get(client.getJwksUri());
            return kept != null && clock.millis() - kept.fetchedAtMillis() < MAX_AGE.toMillis()
                    ? Optional.of(kept.keys()) : Optional.empty();
        }
    }

    /** The client's keys: inline, kept, or fetched now. */
    public JWKSet current(ClientItem client) {
        return withoutFetching(client).orElseGet(() -> fetch(client.getJwksUri()));
    }

    /**
     * The client's keys once more, for a key id the current set lacks: fetched again unless fetched within the
     * refetch interval (then the kept set). Inline keys are what they are.
     */
    public JWKSet refreshed(ClientItem client) {
        if (client.getJwksUri() == null) {
            return current(client);
        }
        synchronized (fetched) {
            Fetched kept = fetched.get(client.getJwksUri());
            if (kept != null && clock.millis() - kept.fetchedAtMillis() < MIN_REFETCH_INTERVAL.toMillis()) {
                return kept.keys();
            }
        }
        return fetch(client.getJwksUri());
    }

    private static JWKSet inline(ClientItem client) {
        return ClientKeys.publicKeySet(client.getJwks(), problem -> new IllegalStateException("stored " + problem));
    }

    /**
     * One GET of the jwks_uri, bounded as a whole (connect, answer and body within {@link #REQUEST_TIMEOUT}) and in
     * size, so that a slow or endless answer costs at most that long.
     */
    private JWKSet fetch(String jwksUri) {
        URI uri = ClientKeys.jwksUri(jwksUri, loopbackHttpAllowed, ClientKeySets::unusable);
        int limit = ClientKeys.MAX_JWKS_CHARS * 4;
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        CompletableFuture<HttpResponse<Void>> exchange = http.get().sendAsync(HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT).header("Accept", "application/jwk-set+json, application/json").GET().build(),
                HttpResponse.BodyHandlers.ofByteArrayConsumer(chunk -> chunk.ifPresent(bytes -> {
                    synchronized (received) {
                        if (received.size() + bytes.length > limit) {
                            throw new IllegalStateException("the key set is too large");
                        }
                        received.write(bytes, 0, bytes.length);
                    }
                })));
        HttpResponse<Void> response;
        try {
            response = exchange.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException unreachable) {
            exchange.cancel(true);
            Throwable cause = unreachable.getCause() != null ? unreachable.getCause() : unreachable;
            Log.warn("client jwks_uri unusable", "jwks_uri", jwksUri, "exception", cause.getClass().getSimpleName());
            throw unusable("the client's jwks_uri could not be fetched");
        } catch (InterruptedException interrupted) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw unusable("the client's jwks_uri could not be fetched");
        }
        String body;
        synchronized (received) {
            body = received.toString(StandardCharsets.UTF_8);
        }
        if (response.statusCode() != 200) {
            Log.warn("client jwks_uri refused", "jwks_uri", jwksUri, "status", response.statusCode());
            throw unusable("the client's jwks_uri answered " + response.statusCode());
        }
        JWKSet keys = ClientKeys.publicKeySet(body, problem -> unusable("the client's jwks_uri: " + problem));
        synchronized (fetched) {
            fetched.put(jwksUri, new Fetched(keys, clock.millis()));
        }
        return keys;
    }

    private static ApiError unusable(String description) {
        return OAuthErrors.invalidClient(description, false);
    }
}
