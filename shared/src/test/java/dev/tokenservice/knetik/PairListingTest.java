package dev.tokenservice.knetik;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenPairs;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Knetik lists page through (username, client) pair records that token writes keep: a pair is listed while any of
 * its tokens lives (up to a minute longer, never shorter), in every order Knetik's order parameter names, and the
 * records are written once per pair and minute, not once per token.
 */
class PairListingTest {

    // A second past a whole minute, so that the refresh test's steps stay within their minutes.
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2031-01-01T00:00:01Z"));
    private Services services;
    private Caller admin;

    @BeforeEach
    void setUp() {
        services = TestServices.create(clock);
        admin = new Caller("admin", "admin", Set.of(ServiceScopes.TOKENS_ADMIN), "jti", Long.MAX_VALUE, null);
    }

    @Test
    void aPairStaysListedUntilItsLongestLivedTokenExpiresEvenWhenAShorterOneCameLater() {
        // GIVEN a two-hour token of the pair, and later (past the refresh time, so its pair is written) a short one
        token("ann", "web", Duration.ofHours(2));
        clock.advance(Duration.ofMillis(TokenPairs.REFRESH_MILLIS + 1000));
        token("ann", "web", Duration.ofMinutes(5));

        // WHEN the short one has expired
        clock.advance(Duration.ofMinutes(30));

        // THEN the pair is still listed, and goes once the long one has expired too
        assertEquals(List.of("ann/web"), pairs(list(null, "ann", "username:ASC")),
                "the two-hour token still lives");
        clock.advance(Duration.ofMinutes(90).plusSeconds(TokenPairs.EXPIRY_STEP_SECONDS));
        assertEquals(List.of(), pairs(list(null, "ann", "username:ASC")), "every token of the pair has expired");
    }

    @Test
    void everyOrderOfTheTwoPropertiesIsServedFromThePairIndexes() {
        for (String user : List.of("u1", "u2", "u3")) {
            for (String app : List.of("a", "b")) {
                token(user, app, Duration.ofHours(1));
            }
        }
        assertEquals(List.of("u1/a", "u1/b", "u2/a", "u2/b", "u3/a", "u3/b"), pairs(list(null, null, "username:ASC")));
        assertEquals(List.of("u3/a", "u3/b", "u2/a", "u2/b", "u1/a", "u1/b"), pairs(list(null, null, "username:DESC")),
                "client_id not named: ascending, as Knetik's ties fall back");
        assertEquals(List.of("u3/b", "u3/a", "u2/b", "u2/a", "u1/b", "u1/a"),
                pairs(list(null, null, "username:DESC,client_id:DESC")));
        assertEquals(List.of("u1/b", "u1/a", "u2/b", "u2/a", "u3/b", "u3/a"),
                pairs(list(null, null, "username:ASC,client_id:DESC")));
        assertEquals(List.of("u1/a", "u2/a", "u3/a", "u1/b", "u2/b", "u3/b"), pairs(list(null, null, "client_id:ASC")));
        assertEquals(List.of("u3/a", "u2/a", "u1/a", "u3/b", "u2/b", "u1/b"),
                pairs(list(null, null, "client_id:ASC,username:DESC")));
        assertEquals(List.of("u3/b", "u2/b", "u1/b"), pairs(list("b", null, "username:DESC")));
        assertEquals(List.of("u2/b", "u2/a"), pairs(list(null, "u2", "client_id:DESC")));
        assertEquals(List.of("u2/b"), pairs(list("b", "u2", null)));
    }

    @Test
    void aBusyPairIsWrittenOncePerMinuteNotOncePerToken() {
        for (int i = 0; i < 50; i++) {
            token("machine", "machine", Duration.ofHours(1));
        }
        TokenItem record = services.tokenRepository().find(TokenKeys.tokenPair("machine", "machine")).orElseThrow();
        long firstIssue = record.getIssuedAt();

        clock.advance(Duration.ofMillis(TokenPairs.REFRESH_MILLIS - 1));
        token("machine", "machine", Duration.ofHours(1));
        assertEquals(firstIssue, services.tokenRepository().find(TokenKeys.tokenPair("machine", "machine"))
                .orElseThrow().getIssuedAt(), "50 tokens and one more within the refresh time: one write");

        clock.advance(Duration.ofSeconds(TokenPairs.EXPIRY_STEP_SECONDS));
        token("machine", "machine", Duration.ofHours(1));
        assertEquals(clock.millis(), services.tokenRepository().find(TokenKeys.tokenPair("machine", "machine"))
                .orElseThrow().getIssuedAt(), "the expiry moved to a later minute: written again");
    }

    private void token(String subject, String clientId, Duration lifetime) {
        String jti = UUID.randomUUID().toString();
        TokenItem row = new TokenItem();
        row.setTokenKey(TokenKeys.accessToken(jti));
        row.setKind(TokenKeys.ACCESS_TOKEN);
        row.setSubject(subject);
        row.setClientId(clientId);
        row.setIssuedAt(clock.millis());
        row.setExpiresAt(clock.instant().plus(lifetime).getEpochSecond());
        row.setTtl(row.getExpiresAt());
        services.tokenRepository().create(row);
    }

    private JsonNode list(String clientId, String username, String order) {
        return services.tokenAdministration().list(admin, clientId, username, 1, 100, SortOrder.parse(order));
    }

    private static List<String> pairs(JsonNode page) {
        List<String> pairs = new ArrayList<>();
        page.path("content").forEach(row -> pairs.add(row.path("username").asText() + "/" + row.path("client_id").asText()));
        assertEquals(pairs.size(), page.path("total_elements").asInt());
        return pairs;
    }
}
