package dev.tokenservice.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.agilicus.TokenListQuery;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.knetik.SortOrder;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A token stored before the sharded indexes shows in the subject, org and Knetik lists once backfilled. */
class IndexBackfillTest {

    private final MutableClock clock = MutableClock.startingNow();
    private final Services services = TestServices.create(clock);
    private final Caller admin = new Caller("admin", "admin", Set.of(ServiceScopes.TOKENS_ADMIN), "jti", Long.MAX_VALUE,
            null);

    @Test
    void aTokenWrittenTheOldWayIsListedBySubjectOrgAndPairAfterTheBackfill() {
        // GIVEN a token row as the previous version wrote it: listing shard AT#0..7, no subject or org shard, no pair
        TokenItem old = new TokenItem();
        old.setTokenKey(TokenKeys.accessToken("old-jti"));
        old.setKind(TokenKeys.ACCESS_TOKEN);
        old.setSubject("olga");
        old.setClientId("legacy-app");
        old.setOrg("old-org");
        old.setIssuedAt(clock.millis());
        old.setExpiresAt(clock.instant().plus(Duration.ofHours(1)).getEpochSecond());
        old.setListShard("AT#" + Math.floorMod("old-jti".hashCode(), 8));
        services.tables().of(TokenSchema.TABLE).putItem(old);
        assertEquals(0, bySubject().size(), "the old row is on none of the new indexes");
        assertEquals(0, pairs().size());

        // WHEN the backfill runs (twice: it is safe to run again)
        IndexBackfill.Result first = new IndexBackfill(services.tables()).run(clock.instant().getEpochSecond());
        IndexBackfill.Result again = new IndexBackfill(services.tables()).run(clock.instant().getEpochSecond());

        // THEN every list finds it
        assertEquals(1, first.updated());
        assertEquals(0, again.updated());
        assertEquals(List.of("old-jti"), List.of(bySubject().get(0).path("jti").asText()));
        assertEquals(1, services.tokenLifecycle().list(admin,
                new TokenListQuery(100, null, null, "old-org", null, null, null, null, null)).path("tokens").size());
        assertEquals("olga", pairs().get(0).path("username").asText());
    }

    private JsonNode bySubject() {
        return services.tokenLifecycle().list(admin,
                new TokenListQuery(100, "olga", null, null, null, null, null, null, null)).path("tokens");
    }

    private JsonNode pairs() {
        return services.tokenAdministration().list(admin, "legacy-app", null, 1, 25, SortOrder.parse(null))
                .path("content");
    }
}
