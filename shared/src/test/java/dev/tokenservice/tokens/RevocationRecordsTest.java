package dev.tokenservice.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.auth.Caller;
import dev.tokenservice.clients.NewClient;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Revocation records only ever reach further: of two ends of the same grants the later cut-off holds whatever
 * order their writes land in, and a deleted client's record, which covers every issue time, stays so.
 */
class RevocationRecordsTest {

    private final MutableClock clock = MutableClock.startingNow();
    private Services services;
    private TokenRepository tokens;

    @BeforeEach
    void setUp() {
        services = TestServices.create(clock);
        tokens = services.tokenRepository();
    }

    @Test
    void anEarlierCutOffLandingLastLeavesTheLaterOne() {
        // GIVEN a user's tokens at a client revoked up to an hour from now (an end whose clock runs ahead)
        String record = TokenKeys.subjectAtClientRevocation("client-1", "user-1");
        long later = clock.instant().plus(Duration.ofHours(1)).toEpochMilli();
        tokens.recordRevocation(record, later, clock.instant().plus(Duration.ofDays(30)).getEpochSecond());

        // WHEN another end, stamped now, writes the same record after it (both of its writes)
        tokens.revokeGrantsUpToNow(record, clock, Duration.ofDays(30));

        // THEN the later cut-off holds
        assertEquals(later, tokens.revokedUpTo("client-1", "user-1", null));
    }

    @Test
    void revokingAConsentUnderALaterCutOffStillRemovesTheConsent() {
        // GIVEN a consent, and its user's tokens at the client already revoked up to an hour from now
        String clientId = services.clientRegistry().create(caller("owner-1", ServiceScopes.CLIENTS_WRITE),
                new NewClient("Photo Printer", null, null, null, null, null, "https://app.example.com/bye",
                        List.of("https://app.example.com/cb"), List.of(), List.of("files:read"), true))
                .client().getClientId();
        services.consentStore().grant(clientId, "user-1", List.of("files:read"));
        long later = clock.instant().plus(Duration.ofHours(1)).toEpochMilli();
        tokens.recordRevocation(TokenKeys.subjectAtClientRevocation(clientId, "user-1"), later,
                clock.instant().plus(Duration.ofDays(30)).getEpochSecond());

        // WHEN the user revokes the consent
        services.consents().revoke(caller("user-1"), services.clientRegistry().info(clientId));

        // THEN the consent is gone and the later cut-off holds
        assertTrue(services.consentStore().find(clientId, "user-1").isEmpty());
        assertEquals(later, tokens.revokedUpTo(clientId, "user-1", null));
    }

    @Test
    void aKnetikDeleteOfADeletedClientsTokensLeavesItsRecordCoveringEveryTime() {
        // GIVEN a deleted client
        Caller owner = caller("owner-1", ServiceScopes.CLIENTS_WRITE);
        String clientId = services.clientRegistry().create(owner, new NewClient("Photo Printer", null, null, null,
                null, null, "https://app.example.com/bye", List.of("https://app.example.com/cb"), List.of(),
                List.of("files:read"), true)).client().getClientId();
        services.clientRegistry().delete(owner, clientId);
        assertEquals(Long.MAX_VALUE, tokens.revokedUpTo(clientId, "user-1", null));

        // WHEN an admin deletes the client's tokens the Knetik way
        services.tokenAdministration().delete(caller("admin", ServiceScopes.TOKENS_ADMIN), null, clientId);

        // THEN every token of the client, whenever issued, is still covered
        assertEquals(Long.MAX_VALUE, tokens.revokedUpTo(clientId, "user-1", null));
    }

    private Caller caller(String subject, String... scopes) {
        return new Caller(subject, "test-caller", Set.of(scopes), "jti-" + subject,
                clock.instant().getEpochSecond() + 3600, null);
    }
}
