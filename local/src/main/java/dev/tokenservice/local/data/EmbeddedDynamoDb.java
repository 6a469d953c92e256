package dev.tokenservice.local.data;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import dev.tokenservice.local.failure.Failures;
import dev.tokenservice.local.failure.StartupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * DynamoDB Local in this JVM (its jar carries the SQLite natives), persisting to one shared database file
 * in the data folder, reachable over HTTP like the real service.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    private final DynamoDBProxyServer server;
    private final int port;

    private EmbeddedDynamoDb(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedDynamoDb start(Path databaseDirectory) {
        try {
            Files.createDirectories(databaseDirectory);
        } catch (IOException e) {
            throw new StartupException("cannot create " + databaseDirectory + ": " + e.getMessage());
        }
        // The free port is found before DynamoDB Local binds it, so another process may take it in between.
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            try {
                return new EmbeddedDynamoDb(startOn(databaseDirectory, port), port);
            } catch (Exception e) {
                if (attempt < 3 && causedBy(e, BindException.class)) {
                    continue;
                }
                throw new StartupException("DynamoDB Local did not start: " + Failures.describe(e));
            }
        }
    }

    public String endpoint() {
        return "http://" + LOOPBACK + ":" + port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            System.out.println("DynamoDB Local did not stop cleanly: " + Failures.describe(e));
        }
    }

    private static DynamoDBProxyServer startOn(Path databaseDirectory, int port) throws Exception {
        String[] args = {
            "-dbPath", databaseDirectory.toString(), "-sharedDb", "-port", String.valueOf(port),
            // A developer's machine has no business reporting to AWS, and offline it would only wait.
            "-disableTelemetry"
        };
        DynamoDBProxyServer server;
        PrintStream stdout = System.out;
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        // DynamoDB Local prints its configuration on stdout; the runner prints its own summary instead.
        System.setOut(new PrintStream(banner, true, StandardCharsets.UTF_8));
        try {
            server = ServerRunner.createServerFromCommandLineArgs(args);
        } finally {
            System.setOut(stdout);
        }
        bindToLoopback(server);
        server.start();
        return server;
    }

    /**
     * DynamoDB Local listens on every interface, which would expose the database to the network; its Jetty
     * connector is moved to the loopback address before it starts. Should a later version hide the
     * connector differently, it still works, on every interface, and says so.
     */
    private static void bindToLoopback(DynamoDBProxyServer proxy) {
        try {
            Field field = DynamoDBProxyServer.class.getDeclaredField("server");
            field.setAccessible(true);
            Server jetty = (Server) field.get(proxy);
            for (Connector connector : jetty.getConnectors()) {
                if (connector instanceof ServerConnector serverConnector) {
                    serverConnector.setHost(LOOPBACK);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("note: DynamoDB Local listens on every network interface (" + Failures.describe(e) + ")");
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("no free port for DynamoDB Local: " + e.getMessage());
        }
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
