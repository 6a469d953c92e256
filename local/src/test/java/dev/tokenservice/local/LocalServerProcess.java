package dev.tokenservice.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local runner in a JVM of its own, as a developer starts it: Services.production() is a JVM-wide
 * singleton, so every test server needs a fresh JVM. Its output is drained on a thread, so it never
 * blocks on a full pipe, and kept for assertions.
 */
final class LocalServerProcess implements AutoCloseable {

    static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    private static final Path TEMPLATE = LocalOptions.findTemplate(Path.of(""));

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> listening = new CompletableFuture<>();

    private LocalServerProcess(Process process) {
        this.process = process;
        Thread drain = new Thread(this::drain, "local-server-output");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts the runner on a free port and waits, at most a minute, until it listens. */
    static LocalServerProcess start(Path data, String... extraArguments) {
        return start(data, Map.of(), extraArguments);
    }

    /** As {@link #start(Path, String...)}, with these variables (e.g. an AWS emulator's endpoint) set for the runner. */
    static LocalServerProcess start(Path data, Map<String, String> variables, String... extraArguments) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                LocalServer.class.getName(),
                "--port", "0", "--data", data.toString(), "--template", TEMPLATE.toString()));
        command.addAll(List.of(extraArguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The runner honours AWS endpoints, credentials and service settings from the environment; a
        // developer's or CI's own must not change what the test runs against.
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("AWS_") || SERVICE_SETTINGS.contains(name));
        environment.putAll(variables);
        LocalServerProcess server;
        try {
            server = new LocalServerProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local runner", e);
        }
        server.awaitListening();
        return server;
    }

    private static final List<String> SERVICE_SETTINGS = List.of("CLIENTS_TABLE", "TOKENS_TABLE", "CONSENTS_TABLE",
            "ISSUER", "TOKEN_AUDIENCE", "ACCESS_TOKEN_TTL_SECONDS", "KMS_SIGNING_KEY_ID", "KMS_PUBLISHED_KEY_IDS",
            "SIGNING_ALGORITHM", "LOCAL_SIGNING_KEY_FILE", "SECRET_PEPPER", "SECRET_PEPPER_ARN", "SECRET_PEPPER_FILE",
            "LOGIN_URL", "UPSTREAM_ISSUER_URL", "UPSTREAM_ID", "UPSTREAM_CLIENT_ID", "UPSTREAM_CLIENT_SECRET",
            "UPSTREAM_CLIENT_SECRET_ARN", "UPSTREAM_SCOPES", "UPSTREAM_SUBJECT_CLAIM", "UPSTREAM_PROFILE_CLAIMS");

    /** The URL of the listening line, e.g. http://127.0.0.1:41234. */
    String baseUrl() {
        return listening.join().substring(LocalServer.LISTENING.length()).trim();
    }

    int port() {
        String url = baseUrl();
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    /** The bootstrap admin's credentials, when this start created the admin. */
    Optional<AdminCredentials> bootstrapCredentials() {
        Optional<String> id = valueAfter("bootstrap admin client_id: ");
        Optional<String> secret = valueAfter("bootstrap admin client_secret: ");
        Optional<String> scope = valueAfter("bootstrap admin scope: ");
        return id.isPresent() && secret.isPresent()
                ? Optional.of(new AdminCredentials(id.get(), secret.get(), scope.orElse(""))) : Optional.empty();
    }

    /** The x-api-key the runner printed; empty when no route requires one. */
    Optional<String> apiKey() {
        return valueAfter("API key (send as x-api-key): ");
    }

    List<String> output() {
        return List.copyOf(output);
    }

    /** Stops the runner as Ctrl-C would, forcibly when it does not stop within 15 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    record AdminCredentials(String clientId, String clientSecret, String scope) {
    }

    private Optional<String> valueAfter(String prefix) {
        return output.stream().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()).trim())
                .findFirst();
    }

    private void awaitListening() {
        try {
            listening.get(STARTUP_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            close();
            throw new AssertionError("the local runner did not listen within " + STARTUP_LIMIT + "; it printed:\n"
                    + String.join("\n", output));
        } catch (ExecutionException e) {
            close();
            throw new AssertionError(e.getCause().getMessage());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the local runner started");
        }
    }

    private void drain() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
                if (line.startsWith(LocalServer.LISTENING) && !listening.isDone()) {
                    listening.complete(line);
                }
            }
        } catch (IOException streamClosed) {
            // The process is gone; what it printed is kept.
        }
        listening.completeExceptionally(new IllegalStateException(
                "the local runner exited before listening; it printed:\n" + String.join("\n", output)));
    }
}
