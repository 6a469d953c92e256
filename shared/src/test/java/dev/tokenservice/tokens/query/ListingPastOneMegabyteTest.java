package dev.tokenservice.tokens.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.agilicus.TokenListQuery;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.knetik.SortOrder;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenSchema;
import dev.tokenservice.wiring.Services;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Lists over more than DynamoDB's 1 MB per Query page: 240 tokens of 12 KB each (2.9 MB) of one subject, spread
 * over its subject shards and the listing shards. Every page of every listing must be complete, in order, and
 * without duplicates, across the shards' pages; no shard may hold much of the one subject's tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingPastOneMegabyteTest {

    private static final int TOKENS = 240;
    private static final String DETAILS = "{\"padding\":\"" + "x".repeat(12_000) + "\"}";

    private final MutableClock clock = MutableClock.startingNow();
    private final Instant start = clock.instant();

    private final Caller admin =
            new Caller("admin", "admin", Set.of(ServiceScopes.TOKENS_ADMIN), "jti", Long.MAX_VALUE, null);
    private Services services;

    /** The tokens every listing test reads; no test changes them (one that deletes writes its own). */
    @BeforeAll
    void writeMoreThanOneMegabyteOfTokens() {
        services = bulkTokens(clock);
    }

    /** Fresh tables holding the 240 tokens issued a second apart from the clock's start; the clock then moves on. */
    private static Services bulkTokens(MutableClock clock) {
        Instant start = clock.instant();
        Services services = TestServices.create(clock);
        for (int i = 0; i < TOKENS; i++) {
            TokenItem row = new TokenItem();
            String jti = String.format("bulk-%03d", i);
            row.setTokenKey(TokenKeys.accessToken(jti));
            row.setKind(TokenKeys.ACCESS_TOKEN);
            row.setSubject("bulk");
            row.setClientId(String.format("c-%03d", i));
            row.setOrg(i % 40 == 0 ? "rare" : "common");
            row.setScope("files:read");
            row.setAudience(List.of("https://api.example.com"));
            row.setIssuedAt(start.toEpochMilli() + i * 1000L);
            row.setExpiresAt(start.getEpochSecond() + 86_400);
            row.setTtl(start.getEpochSecond() + 86_400);
            row.setListShard(TokenKeys.listShard(jti));
            row.setDetails(DETAILS);
            services.tokenRepository().create(row);
        }
        clock.advance(java.time.Duration.ofMinutes(5));
        return services;
    }

    @Test
    void dynamoDbReallySplitsTheListingIntoPagesAndNoSubjectShardHoldsMuchOfOneSubject() {
        QueryResponse first = services.tables().dynamoDb().query(r -> r
                .tableName(services.tables().of(TokenSchema.TABLE).tableName())
                .indexName(TokenSchema.TOKENS_LISTED)
                .keyConditionExpression("list_shard = :s")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(TokenKeys.listShard(0))))
                .limit(5));
        assertFalse(first.lastEvaluatedKey().isEmpty(), "a listing partition is read in more than one page");

        int total = 0;
        for (int shard = 0; shard < TokenKeys.SHARDS; shard++) {
            String partition = TokenKeys.subjectShard("bulk", shard);
            int count = services.tables().dynamoDb().query(r -> r
                    .tableName(services.tables().of(TokenSchema.TABLE).tableName())
                    .indexName(TokenSchema.TOKENS_BY_SUBJECT)
                    .keyConditionExpression("subject_shard = :s")
                    .select("COUNT")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(partition)))).count();
            assertTrue(count < TOKENS / 6, partition + " holds " + count + " of the subject's " + TOKENS + " tokens");
            total += count;
        }
        assertEquals(TOKENS, total, "every token of the subject is in one of its shards");
    }

    @Test
    void knetikPagesOfOneUserCoverEveryPairExactlyOnce() {
        assertEveryPairOnce("bulk", 50);
    }

    @Test
    void knetikPagesOverEveryoneMergeTheShardsCompletely() {
        assertEveryPairOnce(null, 100);
    }

    @Test
    void knetikListingLeavesOutDeletedPairsAtOnce() {
        // On tokens of its own: the deletion must not change what the other tests list, whatever their order.
        Services own = bulkTokens(MutableClock.startingNow());

        own.tokenAdministration().delete(admin, "bulk", "c-007");

        JsonNode page = own.tokenAdministration().list(admin, null, "bulk", 1, 25, SortOrder.parse(null));
        assertEquals(TOKENS - 1, page.path("total_elements").asInt());
        JsonNode pair = own.tokenAdministration().list(admin, "c-007", "bulk", 1, 25, SortOrder.parse(null));
        assertEquals(0, pair.path("total_elements").asInt());
    }

    @Test
    void agilicusLimitCrossesPagesNewestFirst() {
        JsonNode list = services.tokenLifecycle().list(admin,
                new TokenListQuery(100, "bulk", null, null, null, null, null, null, null));
        assertEquals(100, list.path("tokens").size());
        assertEquals(100, list.path("limit").asInt());
        for (int i = 0; i < 100; i++) {
            assertEquals(String.format("bulk-%03d", TOKENS - 1 - i), list.path("tokens").get(i).path("jti").asText());
        }
    }

    @Test
    void agilicusIssueWindowAndRareOrgAreFoundBeyondTheFirstMegabyte() {
        JsonNode window = services.tokenLifecycle().list(admin, new TokenListQuery(100, null, null, null, null,
                start.plusSeconds(50), start.plusSeconds(149), null, null));
        List<String> jtis = jtis(window);
        assertEquals(100, jtis.size());
        assertEquals("bulk-149", jtis.get(0));
        assertEquals("bulk-050", jtis.get(99));

        long began = System.nanoTime();
        JsonNode rare = services.tokenLifecycle().list(admin,
                new TokenListQuery(100, null, null, "rare", null, null, null, null, null));
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertEquals(List.of("bulk-200", "bulk-160", "bulk-120", "bulk-080", "bulk-040", "bulk-000"), jtis(rare));
        System.out.println("agilicus list by org over " + TOKENS + " tokens of 12 KB (all shards): " + millis + " ms");
    }

    private void assertEveryPairOnce(String username, int size) {
        Set<String> seen = new HashSet<>();
        List<String> order = new ArrayList<>();
        int pages = (TOKENS + size - 1) / size;
        long began = System.nanoTime();
        for (int page = 1; page <= pages; page++) {
            JsonNode body = services.tokenAdministration().list(admin, null, username, page, size,
                    SortOrder.parse("client_id:DESC"));
            assertEquals(TOKENS, body.path("total_elements").asInt());
            assertEquals(pages, body.path("total_pages").asInt());
            assertEquals(page - 1, body.path("number").asInt());
            assertEquals(page == pages, body.path("last").asBoolean());
            for (JsonNode row : body.path("content")) {
                assertFalse(row.has("token"), "a list never shows token values");
                assertTrue(seen.add(row.path("client_id").asText()), "duplicate " + row);
                order.add(row.path("client_id").asText());
            }
        }
        long perPage = (System.nanoTime() - began) / 1_000_000 / pages;
        assertEquals(TOKENS, seen.size());
        List<String> sorted = new ArrayList<>(order);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, order);
        System.out.println("knetik list page (" + (username == null ? "all shards" : "one user") + ", "
                + TOKENS + " tokens of 12 KB): " + perPage + " ms per page");
    }

    private static List<String> jtis(JsonNode list) {
        List<String> jtis = new ArrayList<>();
        list.path("tokens").forEach(token -> jtis.add(token.path("jti").asText()));
        return jtis;
    }
}
