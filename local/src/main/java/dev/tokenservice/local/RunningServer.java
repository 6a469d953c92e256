package dev.tokenservice.local;

import com.sun.net.httpserver.HttpServer;
import dev.tokenservice.bootstrap.AdminBootstrap.AdminCredentials;
import java.util.Deque;
import java.util.Optional;

/**
 * A started local runner. Its functions use Services.production(), a JVM-wide singleton, so a JVM runs
 * one of these in its life; tests start the runner in a JVM of their own. DynamoDB Local's background
 * threads outlive close(), so a JVM that is done should exit rather than wait for them.
 */
public final class RunningServer implements AutoCloseable {

    private final HttpServer http;
    private final Deque<AutoCloseable> resources;
    private final String host;
    private final Optional<AdminCredentials> bootstrapAdmin;
    private final Optional<String> apiKey;
    private boolean closed;

    RunningServer(HttpServer http, Deque<AutoCloseable> resources, String host,
            Optional<AdminCredentials> bootstrapAdmin, Optional<String> apiKey) {
        this.http = http;
        this.resources = resources;
        this.host = host;
        this.bootstrapAdmin = bootstrapAdmin;
        this.apiKey = apiKey;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The URL as bound, e.g. http://127.0.0.1:3000. */
    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** A URL a client on this machine can use, also when the server listens on every interface. */
    public String localUrl() {
        boolean everyInterface = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        return everyInterface ? "http://127.0.0.1:" + port() : url();
    }

    /** The first admin's credentials when this start created it; empty when the data folder had one. */
    public Optional<AdminCredentials> bootstrapAdmin() {
        return bootstrapAdmin;
    }

    /** The x-api-key that methods with ApiKeyRequired accept; empty when no method requires one. */
    public Optional<String> apiKey() {
        return apiKey;
    }

    /** Stops serving, then DynamoDB Local, then releases the data folder. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LocalServer.closeAll(resources);
    }
}
