package dev.tokenservice.functions.knetik;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Knetik AuthTokensApi through its handlers, over DynamoDB Local: what an SDK user sees. */
class KnetikAuthTokensTest {

    private MutableClock clock;
    private Services services;
    private ListAuthTokensHandler list;
    private GetAuthTokenHandler get;
    private DeleteAuthTokensHandler delete;
    private String admin;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        list = new ListAuthTokensHandler(services);
        get = new GetAuthTokenHandler(services);
        delete = new DeleteAuthTokensHandler(services);
        admin = issue("admin", "admin-console", List.of(ServiceScopes.TOKENS_ADMIN));
    }

    @Test
    void getReturnsTheMostRecentLiveTokenValueWhichIsStoredOnlySealed() throws Exception {
        issue("jdoe@example.com", "web", List.of("files:read"));
        clock.advance(Duration.ofSeconds(5));
        String newest = issue("jdoe@example.com", "web", List.of("files:read"));
        clock.advance(Duration.ofSeconds(5));
        issue("jdoe@example.com", "server-client", List.of("files:read"));

        JsonNode resource = ok(get("jdoe@example.com", "web"), 200);

        assertEquals("web", resource.path("client_id").asText());
        assertEquals("jdoe@example.com", resource.path("username").asText());
        assertEquals(newest, resource.path("token").asText(), "the same token, byte for byte (RS256 is deterministic)");
        String jti = com.nimbusds.jwt.SignedJWT.parse(newest).getJWTClaimsSet().getJWTID();
        TokenItem row = services.tokenRepository().find(TokenKeys.accessToken(jti)).orElseThrow();
        assertNotNull(row.getSealedValue());
        assertNotNull(row.getSealedKey());
        String header = newest.substring(0, newest.indexOf('.'));
        String payload = newest.split("\\.")[1];
        String stored = Json.write(row);
        assertFalse(stored.contains(header) || stored.contains(payload) || stored.contains(newest.split("\\.")[2]),
                "no part of the token value is stored in plaintext");
        assertEquals(404, get("jdoe@example.com", "nowhere").getStatusCode());
    }

    @Test
    void getDecodesPathParametersWhichApiGatewayPassesPercentEncoded() {
        String token = issue("jdoe+tag@example.com", "web", List.of());
        var event = Requests.request("GET", "/auth/tokens/{username}/{client_id}", "/auth/tokens/x/web", admin, null)
                .withPathParameters(java.util.Map.of("username", "jdoe+tag%40example.com", "client_id", "web"));

        JsonNode resource = ok(get.handleRequest(event, null), 200);

        assertEquals("jdoe+tag@example.com", resource.path("username").asText());
        assertEquals(token, resource.path("token").asText());
    }

    @Test
    void listShowsPairsWithoutValuesPagedFromOneAndOrdered() {
        issue("carol", "web", List.of());
        issue("alice", "web", List.of());
        issue("alice", "web", List.of());
        issue("bob", "mobile", List.of());
        issue("alice", "mobile", List.of());

        JsonNode page1 = ok(list("?size=2&page=1&order=username:ASC,client_id:DESC&filter_client_id="), 200);
        assertEquals(List.of("admin/admin-console", "alice/web"), pairs(page1));
        assertEquals(5, page1.path("total_elements").asInt(), "admin/admin-console, alice x2, bob, carol");
        assertEquals(3, page1.path("total_pages").asInt());
        assertEquals(0, page1.path("number").asInt());
        assertEquals(2, page1.path("number_of_elements").asInt());
        assertEquals(2, page1.path("size").asInt());
        assertTrue(page1.path("first").asBoolean());
        assertFalse(page1.path("last").asBoolean());
        JsonNode sort = page1.path("sort").get(0);
        assertEquals("username", sort.path("property").asText());
        assertEquals("ASC", sort.path("direction").asText());
        assertEquals("NATIVE", sort.path("null_handling").asText());
        assertTrue(sort.path("ascending").asBoolean());
        page1.path("content").forEach(row -> assertFalse(row.has("token")));

        JsonNode page3 = ok(list("?size=2&page=3&order=username:ASC,client_id:DESC"), 200);
        assertEquals(List.of("carol/web"), pairs(page3));
        assertTrue(page3.path("last").asBoolean());

        assertEquals(List.of("alice/web", "carol/web"), pairs(ok(list("?filter_client_id=web"), 200)));
        assertEquals(List.of("alice/mobile", "alice/web"), pairs(ok(list("?filter_username=alice"), 200)));
        assertEquals(List.of("alice/mobile"), pairs(ok(list("?filter_username=alice&filter_client_id=mobile"), 200)));
        assertEquals(25, ok(list(""), 200).path("size").asInt());

        APIGatewayProxyResponseEvent badOrder = list("?order=token:ASC");
        assertEquals(400, badOrder.getStatusCode());
        assertEquals("order", json(badOrder).path("result").get(0).path("field").asText());
        assertEquals(400, list("?page=0").getStatusCode());
        assertEquals(400, list("?order=username:UP").getStatusCode());
    }

    @Test
    void deleteByUserAtClientStopsThoseTokensAtOnceAndNoOthers() {
        String web = issue("dave", "web", List.of());
        String mobile = issue("dave", "mobile", List.of());
        String other = issue("erin", "web", List.of());

        APIGatewayProxyResponseEvent deleted = delete("?username=dave&client_id=web");

        assertEquals(204, deleted.getStatusCode());
        assertEquals(401, verify(web));
        assertEquals(200, verify(mobile));
        assertEquals(200, verify(other));
        assertEquals(404, get("dave", "web").getStatusCode());
        assertEquals(List.of("dave/mobile"), pairs(ok(list("?filter_username=dave"), 200)));
        clock.advance(Duration.ofMillis(5));
        String again = issue("dave", "web", List.of());
        assertEquals(200, verify(again), "tokens issued after the delete are not affected");
    }

    @Test
    void aTokenIssuedAfterADeleteOfItsPairIsListedHoweverSoonAfterTheLastOne() {
        for (long gapMillis : List.of(5L, 2_000L, 9_999L, 12_000L)) {
            // GIVEN a user's token at a client, whose pair this container has just recorded, and a delete of the pair
            String user = "gap-" + gapMillis;
            issue(user, "web", List.of());
            clock.advance(Duration.ofMillis(1));
            assertEquals(204, delete("?username=" + user + "&client_id=web").getStatusCode());
            assertEquals(List.of(), pairs(ok(list("?filter_username=" + user), 200)));

            // WHEN the same container issues the pair a new token soon after its last one
            clock.advance(Duration.ofMillis(gapMillis));
            String again = issue(user, "web", List.of());

            // THEN the live token's pair is listed, whatever the gap
            assertEquals(200, verify(again));
            assertEquals(List.of(user + "/web"), pairs(ok(list("?filter_username=" + user), 200)), gapMillis + " ms");
            assertEquals(List.of(user + "/web"), pairs(ok(list("?filter_client_id=web&size=100"), 200)).stream()
                    .filter(pair -> pair.startsWith(user + "/")).toList(), gapMillis + " ms, by client");
        }
    }

    @Test
    void aPairDeletedSoonAfterItsLastTokenStaysUnlistedWhenNoTokenFollows() {
        // GIVEN a pair whose token was recorded a moment ago, and a second token the container did not record
        issue("gina", "web", List.of());
        clock.advance(Duration.ofSeconds(2));
        String unrecorded = issue("gina", "web", List.of());
        clock.advance(Duration.ofSeconds(1));

        // WHEN the pair is deleted within the time its record may lag behind its tokens
        assertEquals(204, delete("?username=gina&client_id=web").getStatusCode());

        // THEN no token of the pair is live, and the pair is not listed
        assertEquals(401, verify(unrecorded));
        assertEquals(List.of(), pairs(ok(list("?filter_username=gina"), 200)));
        clock.advance(Duration.ofSeconds(20));
        assertEquals(List.of(), pairs(ok(list("?filter_username=gina"), 200)));
    }

    @Test
    void deleteByUsernameOrByClientCoversEveryTokenOfThem() {
        String daveWeb = issue("dave", "web", List.of());
        String daveMobile = issue("dave", "mobile", List.of());
        String erinWeb = issue("erin", "web", List.of());
        String erinMobile = issue("erin", "mobile", List.of());

        assertEquals(204, delete("?username=dave").getStatusCode());
        assertEquals(401, verify(daveWeb));
        assertEquals(401, verify(daveMobile));
        assertEquals(200, verify(erinWeb));

        assertEquals(204, delete("?client_id=web").getStatusCode());
        // The record covering every token of a client may be answered from the client cache (CLIENT_CACHE_SECONDS)
        clock.advance(Duration.ofSeconds(1));
        assertEquals(401, verify(erinWeb));
        assertEquals(200, verify(erinMobile));
        assertEquals(List.of("erin/mobile"), pairs(ok(list("?filter_username=erin"), 200)));
        assertEquals(0, ok(list("?filter_client_id=web"), 200).path("total_elements").asInt());
    }

    @Test
    void deleteWithNeitherUsernameNorClientIs400AndEveryOperationNeedsTokensAdmin() {
        APIGatewayProxyResponseEvent neither = delete("");
        assertEquals(400, neither.getStatusCode());
        assertTrue(json(neither).path("result").get(0).path("message").asText().contains("username"));

        String plain = issue("frank", "web", List.of("files:read"));
        assertEquals(403, list.handleRequest(Requests.request("GET", "/auth/tokens", "/auth/tokens", plain, null), null)
                .getStatusCode());
        assertEquals(403, get.handleRequest(Requests.request("GET", "/auth/tokens/{username}/{client_id}",
                "/auth/tokens/frank/web", plain, null), null).getStatusCode());
        assertEquals(403, delete.handleRequest(Requests.request("DELETE", "/auth/tokens", "/auth/tokens?username=frank",
                plain, null), null).getStatusCode());
        assertEquals(401, list.handleRequest(Requests.request("GET", "/auth/tokens", "/auth/tokens", null, null), null)
                .getStatusCode());
        assertEquals(200, verify(plain), "a refused delete revokes nothing");
    }

    private String issue(String subject, String clientId, List<String> scopes) {
        return services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, subject, clientId,
                scopes, List.of(TestServices.ISSUER), Duration.ofHours(1))).value();
    }

    private int verify(String token) {
        try {
            services.callerAuthenticator().checkLocally(token, TestServices.ISSUER).liveCaller();
            return 200;
        } catch (ApiError refused) {
            return refused.status();
        }
    }

    private APIGatewayProxyResponseEvent list(String query) {
        return list.handleRequest(Requests.request("GET", "/auth/tokens", "/auth/tokens" + query, admin, null), null);
    }

    private APIGatewayProxyResponseEvent get(String username, String clientId) {
        return get.handleRequest(Requests.request("GET", "/auth/tokens/{username}/{client_id}",
                "/auth/tokens/" + java.net.URLEncoder.encode(username, java.nio.charset.StandardCharsets.UTF_8) + "/"
                        + clientId, admin, null), null);
    }

    private APIGatewayProxyResponseEvent delete(String query) {
        return delete.handleRequest(Requests.request("DELETE", "/auth/tokens", "/auth/tokens" + query, admin, null), null);
    }

    private static List<String> pairs(JsonNode page) {
        List<String> pairs = new ArrayList<>();
        page.path("content").forEach(row -> pairs.add(row.path("username").asText() + "/" + row.path("client_id").asText()));
        return pairs;
    }

    private static JsonNode json(APIGatewayProxyResponseEvent response) {
        try {
            return Json.MAPPER.readTree(response.getBody());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.getBody());
        }
    }

    private static JsonNode ok(APIGatewayProxyResponseEvent response, int status) {
        if (response.getStatusCode() != status) {
            throw new AssertionError("expected " + status + ", got " + response.getStatusCode() + " " + response.getBody());
        }
        return json(response);
    }
}
