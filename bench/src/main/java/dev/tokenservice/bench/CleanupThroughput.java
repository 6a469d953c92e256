package dev.tokenservice.bench;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.config.Settings;
import dev.tokenservice.housekeeping.CleanupSummary;
import dev.tokenservice.housekeeping.ExpiredTokenCleanup;
import dev.tokenservice.http.Json;
import dev.tokenservice.storage.TableDefinitions;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.ExpiryShards;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Rows per second the scheduled cleanup removes: N expired and N live access-token rows in an in-memory
 * DynamoDB Local on loopback, one cleanup run, one JSON line. Usage: CleanupThroughput TEMPLATE [N].
 * DynamoDB Local on 2 cores is far slower than DynamoDB; the number compares versions, it predicts nothing.
 */
public final class CleanupThroughput {

    public static void main(String[] args) throws Exception {
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-inMemory", "-port", String.valueOf(port)});
        server.start();
        try {
            DynamoDbClient dynamoDb = DynamoDbClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            var resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(args[0]))).path("Resources");
            TableDefinitions.createAll(dynamoDb, resources,
                    Map.of("ClientsTable", "clients", "TokensTable", "tokens", "ConsentsTable", "consents"));
            Settings settings = Settings.of(Map.of());
            long now = Clock.systemUTC().instant().getEpochSecond();
            long seedStarted = System.nanoTime();
            seed(dynamoDb, n, now - 600);
            seed(dynamoDb, n, now + 3600);
            long seedMs = (System.nanoTime() - seedStarted) / 1_000_000;

            ExpiredTokenCleanup cleanup = new ExpiredTokenCleanup(new Tables(dynamoDb, settings), Clock.systemUTC(),
                    // The TTL grace shortened to a minute: the seeded rows stand for what TTL left behind past it.
                    new ExpiredTokenCleanup.Limits(Duration.ofSeconds(60), Duration.ofSeconds(60), 1_000_000,
                            Duration.ofSeconds(10), 1));
            CleanupSummary summary = cleanup.run(() -> Long.MAX_VALUE);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("bench", "cleanup");
            line.put("expired_rows", n);
            line.put("live_rows", n);
            line.put("deleted", summary.totalDeleted());
            line.put("duration_ms", summary.durationMs());
            line.put("rows_per_second", summary.durationMs() == 0 ? null : summary.totalDeleted() * 1000 / summary.durationMs());
            line.put("queries", summary.queries());
            line.put("seed_ms", seedMs);
            line.put("cores", Runtime.getRuntime().availableProcessors());
            System.out.println(Json.write(line));
        } finally {
            server.stop();
        }
        // DynamoDB Local leaves non-daemon threads behind after stop().
        System.exit(0);
    }

    private static void seed(DynamoDbClient dynamoDb, int n, long expiresAt) {
        List<WriteRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "AT#" + UUID.randomUUID();
            batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Map.of(
                    "token_key", AttributeValue.fromS(key),
                    "kind", AttributeValue.fromS("AT"),
                    "expires_at", AttributeValue.fromN(Long.toString(expiresAt)),
                    "expiry_shard", AttributeValue.fromS(ExpiryShards.of(expiresAt, key)))).build()).build());
            if (batch.size() == 25 || i == n - 1) {
                Map<String, List<WriteRequest>> request = Map.of("tokens", List.copyOf(batch));
                var pending = dynamoDb.batchWriteItem(r -> r.requestItems(request));
                while (pending.hasUnprocessedItems() && !pending.unprocessedItems().isEmpty()) {
                    var again = pending.unprocessedItems();
                    pending = dynamoDb.batchWriteItem(r -> r.requestItems(again));
                }
                batch.clear();
            }
        }
    }
}
