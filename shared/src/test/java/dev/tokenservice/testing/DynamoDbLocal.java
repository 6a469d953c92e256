package dev.tokenservice.testing;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.storage.TableDefinitions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One in-memory DynamoDB Local server per test JVM, reached over HTTP on loopback like the real service.
 * Each test gets its own freshly named tables, created from template.yaml's definitions.
 */
public final class DynamoDbLocal {

    private static DynamoDbLocal instance;

    private final String endpoint;
    private final DynamoDbClient client;
    private final JsonNode templateResources;

    private DynamoDbLocal(String endpoint) {
        this.endpoint = endpoint;
        this.client = clientFor(endpoint);
        this.templateResources = readTemplateResources();
    }

    public static synchronized DynamoDbLocal shared() {
        if (instance == null) {
            int port = FreePort.find();
            try {
                DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                        new String[] {"-inMemory", "-sharedDb", "-port", String.valueOf(port)});
                server.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.stop();
                    } catch (Exception ignored) {
                        // The JVM is exiting.
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("DynamoDB Local did not start", e);
            }
            instance = new DynamoDbLocal("http://127.0.0.1:" + port);
        }
        return instance;
    }

    public String endpoint() {
        return endpoint;
    }

    public DynamoDbClient client() {
        return client;
    }

    /** Creates the clients, tokens and consents tables under fresh names and returns their settings. */
    public Map<String, String> freshTables() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> names = Map.of(
                "ClientsTable", "clients-" + suffix,
                "TokensTable", "tokens-" + suffix,
                "ConsentsTable", "consents-" + suffix);
        TableDefinitions.createAll(client, templateResources, names);
        names.forEach((logicalId, physical) -> AwsCallRecorder.nameResource(physical, logicalId));
        return Map.of(
                "CLIENTS_TABLE", names.get("ClientsTable"),
                "TOKENS_TABLE", names.get("TokensTable"),
                "CONSENTS_TABLE", names.get("ConsentsTable"));
    }

    public static DynamoDbClient clientFor(String endpoint) {
        return clientFor(endpoint, new software.amazon.awssdk.core.interceptor.ExecutionInterceptor[0]);
    }

    /** A client of the shared server whose calls pass through the given interceptors (e.g. {@link Faults}). */
    public static DynamoDbClient clientFor(String endpoint,
            software.amazon.awssdk.core.interceptor.ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder()
                .overrideConfiguration(c -> java.util.Arrays.stream(interceptors).forEach(c::addExecutionInterceptor))
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** template.yaml's Resources; CloudFormation tags (!Ref, !Sub) are read as plain values here. */
    public static JsonNode readTemplateResources() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(templatePath())).path("Resources");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template.yaml", e);
        }
    }

    public static Path templatePath() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("template.yaml not found above " + Path.of("").toAbsolutePath());
    }
}
