package dev.tokenservice.bench;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.agilicus.TokenListQuery;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.config.Settings;
import dev.tokenservice.http.Json;
import dev.tokenservice.knetik.SortOrder;
import dev.tokenservice.knetik.TokenAdministration;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.storage.TableDefinitions;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.ExpiryShards;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import dev.tokenservice.tokens.TokenSchema;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * How each token list's cost grows with the table: seeds a DynamoDB Local (in memory, in this JVM) directly with
 * BatchWriteItem up to each size in turn (rows exactly as TokenRepository writes them: the same keys, shards and
 * pair records), and at each size times every list one page at a time (median of 3) and counts the items DynamoDB
 * read for it (CallCounter: Query ScannedCount plus BatchGetItem rows). One JSON line per list and size.
 * Usage: ListGrowth TEMPLATE SIZE... (e.g. 10000 100000 1000000). Half the tokens belong to one busy machine
 * client (subject = client id), half to users ("user-<n>", about 100 tokens each) at 7 apps in organisation
 * "org-common"; one token in 10,000 is in "org-rare", one in 50,000 is revoked. Asserts nothing.
 */
public final class ListGrowth {

    private static final int THREADS = 4;
    private static final String BUSY = "busy-client";

    public static void main(String[] args) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // In memory: on disk, DynamoDB Local's SQLite syncs every write and seeding crawls.
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-inMemory", "-sharedDb", "-port", String.valueOf(port)});
        server.start();
        try {
            DynamoDbClient dynamoDb = DynamoDbClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            var resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(args[0])))
                    .path("Resources");
            TableDefinitions.createAll(dynamoDb, resources,
                    Map.of("ClientsTable", "clients", "TokensTable", "tokens", "ConsentsTable", "consents"));
            Settings settings = Settings.of(Map.of());
            Tables tables = new Tables(dynamoDb, settings);
            Clock clock = Clock.systemUTC();
            Instant now = clock.instant();
            Duration longest = settings.longestTokenLifetime();
            TokenRepository repository = new TokenRepository(tables);
            TokenAdministration knetik = new TokenAdministration(tables, repository, Optional.empty(), null, clock,
                    longest);
            TokenLifecycle agilicus = new TokenLifecycle(null, repository, null, tables, clock, longest);
            Caller admin = new Caller("admin", "admin", Set.of(ServiceScopes.TOKENS_ADMIN), "jti", Long.MAX_VALUE, null);

            Map<String, long[]> pairs = new HashMap<>();
            int seeded = 0;
            for (int a = 1; a < args.length; a++) {
                int size = Integer.parseInt(args[a]);
                long began = System.nanoTime();
                seed(dynamoDb, seeded, size, now, pairs);
                long seedMs = (System.nanoTime() - began) / 1_000_000;
                System.err.println("seeded " + size + " rows in " + seedMs + " ms");
                seeded = size;
                Map<String, Supplier<JsonNode>> lists = new LinkedHashMap<>();
                lists.put("knetik: no filter, page 1 of 25", () -> knetik.list(admin, null, null, 1, 25, SortOrder.parse(null)));
                lists.put("knetik: no filter, page 20 of 25, client_id:ASC,username:DESC",
                        () -> knetik.list(admin, null, null, 20, 25, SortOrder.parse("client_id:ASC,username:DESC")));
                lists.put("knetik: filter_client_id=app-3, page 1 of 25",
                        () -> knetik.list(admin, "app-3", null, 1, 25, SortOrder.parse(null)));
                lists.put("knetik: filter_username=" + BUSY, () -> knetik.list(admin, null, BUSY, 1, 25, SortOrder.parse(null)));
                lists.put("agilicus: limit 100", () -> agilicus.list(admin, query(null, null, null, null, null)));
                lists.put("agilicus: sub=" + BUSY + ", limit 100", () -> agilicus.list(admin, query(BUSY, null, null, null, null)));
                lists.put("agilicus: org=org-rare (1 in 10,000), limit 100",
                        () -> agilicus.list(admin, query(null, "org-rare", null, null, null)));
                lists.put("agilicus: exp_to=23 h ago (issued in the first hour of 24), limit 100",
                        () -> agilicus.list(admin, query(null, null, null, null, now.minus(Duration.ofHours(23)))));
                if (size <= Integer.parseInt(System.getProperty("revokedUpTo", "100000"))) {
                    lists.put("agilicus: revoked=true (1 in 50,000), limit 100",
                            () -> agilicus.list(admin, query(null, null, Boolean.TRUE, null, null)));
                }
                for (var list : lists.entrySet()) {
                    long[] millis = new long[3];
                    long items = 0;
                    int shown = 0;
                    for (int run = 0; run < millis.length; run++) {
                        CallCounter.drainItemsRead();
                        CallCounter.drain();
                        long start = System.nanoTime();
                        JsonNode body = list.getValue().get();
                        millis[run] = (System.nanoTime() - start) / 1_000_000;
                        items = CallCounter.drainItemsRead();
                        shown = body.has("tokens") ? body.path("tokens").size() : body.path("content").size();
                    }
                    long calls = CallCounter.drain().size();
                    Arrays.sort(millis);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("bench", "list-growth");
                    line.put("rows", size);
                    line.put("pairs", pairs.size());
                    line.put("list", list.getKey());
                    line.put("median_ms", millis[1]);
                    line.put("items_read", items);
                    line.put("aws_calls", calls);
                    line.put("shown", shown);
                    line.put("seed_ms", seedMs);
                    System.out.println(Json.write(line));
                }
            }
        } finally {
            server.stop();
        }
        System.exit(0);
    }

    private static TokenListQuery query(String sub, String org, Boolean revoked, Instant expiresFrom, Instant expiresTo) {
        return new TokenListQuery(100, sub, null, org, revoked, null, null, expiresFrom, expiresTo);
    }

    /** Tokens from..to (exclusive), issued over the 24 hours before now, each living one hour, and their pairs. */
    private static void seed(DynamoDbClient dynamoDb, int from, int to, Instant now, Map<String, long[]> pairs)
            throws Exception {
        long start = now.minus(Duration.ofHours(24)).toEpochMilli();
        long step = Math.max(1, Duration.ofHours(24).toMillis() / 1_000_000);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> pending = new ArrayList<>();
        List<Map<String, AttributeValue>> batch = new ArrayList<>();
        Set<String> touched = new java.util.HashSet<>();
        for (int i = from; i < to; i++) {
            boolean busy = i % 2 == 0;
            String subject = busy ? BUSY : "user-" + (i / 200);
            String client = busy ? BUSY : "app-" + (i % 7);
            String jti = "g" + i;
            long issuedAt = start + (long) i * step;
            long expiresAt = issuedAt / 1000 + 3600;
            TokenItem row = new TokenItem();
            row.setTokenKey(TokenKeys.accessToken(jti));
            row.setKind(TokenKeys.ACCESS_TOKEN);
            row.setClientId(client);
            row.setSubject(subject);
            row.setScope("files:read");
            row.setAudience(List.of("https://api.example.com"));
            row.setIssuedAt(issuedAt);
            row.setExpiresAt(expiresAt);
            row.setTtl(expiresAt + 86_400 * 30);
            row.setExpiryShard(ExpiryShards.of(expiresAt, row.getTokenKey()));
            row.setListShard(TokenKeys.listShard(jti));
            row.setSubjectShard(TokenKeys.subjectShard(subject, jti));
            if (!busy) {
                String org = i % 10_000 == 1 ? "org-rare" : "org-common";
                row.setOrg(org);
                row.setOrgShard(TokenKeys.orgShard(org, jti));
            }
            if (i % 50_000 == 3) {
                row.setRevoked(true);
            }
            batch.add(TokenSchema.SCHEMA.itemToMap(row, true));
            String pairKey = TokenKeys.tokenPair(subject, client);
            touched.add(pairKey);
            long[] pair = pairs.get(pairKey);
            // A pair record as TokenPairs writes it, once its latest token is known (below).
            pairs.put(pairKey, new long[] {Math.max(pair == null ? 0 : pair[0], issuedAt),
                    Math.max(pair == null ? 0 : pair[1], expiresAt), pair == null ? 1 : pair[2]});
            if (batch.size() == 25) {
                pending.add(write(threads, dynamoDb, batch));
                batch = new ArrayList<>();
            }
        }
        for (var pair : pairs.entrySet()) {
            if (!touched.contains(pair.getKey())) {
                continue;
            }
            long[] value = pair.getValue();
            String[] who = pairOf(pair.getKey());
            TokenItem record = new TokenItem();
            record.setTokenKey(pair.getKey());
            record.setKind(TokenKeys.TOKEN_PAIR);
            record.setSubject(who[0]);
            record.setClientId(who[1]);
            record.setPairShard(TokenKeys.pairShard(who[0]));
            record.setPairByUser(TokenKeys.pairByUser(who[0], who[1]));
            record.setPairByClient(TokenKeys.pairByClient(who[0], who[1]));
            record.setIssuedAt(value[0]);
            // Live for the whole run, so every list has pairs to show.
            record.setExpiresAt(Math.max(value[1], now.getEpochSecond() + 3600));
            record.setTtl(record.getExpiresAt());
            batch.add(TokenSchema.SCHEMA.itemToMap(record, true));
            if (batch.size() == 25) {
                pending.add(write(threads, dynamoDb, batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            pending.add(write(threads, dynamoDb, batch));
        }
        for (Future<?> f : pending) {
            f.get();
        }
        threads.shutdown();
    }

    private static String[] pairOf(String key) {
        String rest = key.substring("KP#".length());
        int colon = rest.indexOf(':');
        int length = Integer.parseInt(rest.substring(0, colon));
        String subject = rest.substring(colon + 1, colon + 1 + length);
        return new String[] {subject, rest.substring(colon + 2 + length)};
    }

    private static Future<?> write(ExecutorService threads, DynamoDbClient dynamoDb, List<Map<String, AttributeValue>> rows) {
        return threads.submit(() -> {
            List<WriteRequest> requests = rows.stream()
                    .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                    .toList();
            var result = dynamoDb.batchWriteItem(r -> r.requestItems(Map.of("tokens", requests)));
            while (result.hasUnprocessedItems() && !result.unprocessedItems().isEmpty()) {
                var again = result.unprocessedItems();
                result = dynamoDb.batchWriteItem(r -> r.requestItems(again));
            }
        });
    }
}
