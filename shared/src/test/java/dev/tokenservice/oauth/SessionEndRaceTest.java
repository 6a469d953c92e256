package dev.tokenservice.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.clients.NewClient;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.oauth.authorization.Logout;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.oauth.token.TokenResponse;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way to end a session or a grant, run while a thief uses the session's refresh token over and over (or
 * redeems its code): once the end has returned, no token the thief obtained may work, neither its access tokens
 * (verified as a resource server verifies them) nor its newest refresh token. Each way runs many rounds, the end
 * fired at a random moment of a refresh in flight; a round where anything still works is a family that outran
 * the end.
 */
class SessionEndRaceTest {

    /** Rounds per way of ending; more for a longer hunt: -DsessionEndRace.rounds=500. */
    private static final int ROUNDS = Integer.getInteger("sessionEndRace.rounds", 40);
    private static final String REDIRECT_URI = "https://app.example.com/cb";
    private static final String VERIFIER = "a-pkce-verifier-long-enough-to-be-valid-0123456789";

    private Services services;
    private Caller owner;
    /** The system clock, moved ahead past CLIENT_CACHE_SECONDS before each round's verdict (see below). */
    private final RunningClock clock = new RunningClock();

    @BeforeEach
    void setUp() {
        services = TestServices.create(clock, Map.of("CLIENT_QUOTA_PER_OWNER", "1000",
                "CLIENT_QUOTA_PER_TENANT", "1000"));
        owner = caller("owner-1", Set.of(ServiceScopes.CLIENTS_WRITE));
    }

    @Test
    void signingOutAtTheClientOnTheConfirmationPageLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("sign-out at the client on the confirmation page", family -> {
            String ticket = confirmationTicket(family, Map.of("client_id", List.of(family.clientId)));
            return () -> services.logout().decide(ticket, "logout", family.user());
        });
    }

    @Test
    void signingOutEverywhereOnTheConfirmationPageLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("sign-out everywhere on the confirmation page", family -> {
            String ticket = confirmationTicket(family, Map.of());
            return () -> services.logout().decide(ticket, "logout", family.user());
        });
    }

    @Test
    void logoutByIdTokenHintLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("logout by id_token_hint", family -> {
            Logout.Request request = services.logout().validate(
                    Map.of("id_token_hint", List.of(family.idToken)), TestServices.ISSUER);
            return () -> services.logout().start(request, Optional.empty());
        });
    }

    @Test
    void revokingTheConsentLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("consent revocation", family -> {
            var client = services.clientRegistry().info(family.clientId);
            return () -> services.consents().revoke(caller(family.subject(), Set.of("openid")), client);
        });
    }

    @Test
    void aKnetikDeleteOfTheUserAtTheClientLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("Knetik delete of user and client", family ->
                () -> services.tokenAdministration().delete(tokensAdmin(), family.subject, family.clientId));
    }

    @Test
    void aKnetikDeleteOfTheUserLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("Knetik delete of the user", family ->
                () -> services.tokenAdministration().delete(tokensAdmin(), family.subject, null));
    }

    @Test
    void aKnetikDeleteOfTheClientsTokensLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("Knetik delete of the client's tokens", family ->
                () -> services.tokenAdministration().delete(tokensAdmin(), null, family.clientId));
    }

    @Test
    void deletingTheClientLeavesNoFamilyAlive() {
        assertNoFamilyOutlives("client deletion", family ->
                () -> services.clientRegistry().delete(owner, family.clientId));
    }

    @Test
    void aCodeRedeemedWhileTheSessionEndsBuysNothingThatOutlivesTheEnd() {
        int live = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // GIVEN a code issued before the user signs out at the client
            Family family = newFamilyWithoutTokens();
            String code = services.authorizationCodes().issue(family.clientId, family.user(), REDIRECT_URI,
                    List.of("openid", "files:read"), pkceChallenge(VERIFIER), null);
            String ticket = confirmationTicket(family, Map.of("client_id", List.of(family.clientId)));
            // WHEN the thief redeems it while the user confirms the sign-out
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Optional<TokenResponse>> redeemed = CompletableFuture.supplyAsync(() -> {
                await(go);
                try {
                    return Optional.of(exchange(Map.of("grant_type", "authorization_code", "code", code,
                            "redirect_uri", REDIRECT_URI, "client_id", family.clientId, "code_verifier", VERIFIER)));
                } catch (ApiError refused) {
                    refusedAsInvalid(refused);
                    return Optional.empty();
                }
            });
            go.countDown();
            pause();
            services.logout().decide(ticket, "logout", family.user());
            // THEN whatever the code bought is dead once the sign-out has returned
            Optional<TokenResponse> tokens = redeemed.join();
            if (tokens.isPresent() && (accessTokenWorks(tokens.get().accessToken().value())
                    || refreshWorks(family.clientId, tokens.get().refreshToken()))) {
                live++;
            }
        }
        assertEquals(0, live, live + " of " + ROUNDS + " codes redeemed during a sign-out bought live tokens");
    }

    /**
     * Runs the rounds: a new family each, a thief refreshing in a loop, the end fired at a random moment, and
     * then every access token the thief got and its newest refresh token tried.
     */
    private void assertNoFamilyOutlives(String ending, Function<Family, Runnable> endingOf) {
        int live = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // GIVEN a signed-in user's token family, and the end of it made ready
            Family family = newFamily();
            Runnable end = endingOf.apply(family);
            // WHEN a thief refreshes in a loop and the session ends meanwhile
            Thief thief = new Thief(family);
            CompletableFuture<Void> stealing = CompletableFuture.runAsync(thief);
            await(thief.started);
            pause();
            end.run();
            thief.ended.set(true);
            stealing.join();
            // THEN, once a container's cached client row and client-level record may have aged out (an end bites
            // everywhere within CLIENT_CACHE_SECONDS), nothing the thief obtained works
            clock.skip(Duration.ofMillis(1_100));
            if (thief.accessTokens.stream().anyMatch(this::accessTokenWorks)
                    || refreshWorks(family.clientId, thief.refreshToken)) {
                live++;
            }
        }
        assertEquals(0, live, ending + ": " + live + " of " + ROUNDS + " rounds left a live token family");
    }

    /** Refreshes until refused or until it sees the end has returned (the refresh in flight then completes). */
    private final class Thief implements Runnable {

        private final Family family;
        private final CountDownLatch started = new CountDownLatch(1);
        private final AtomicBoolean ended = new AtomicBoolean();
        private final List<String> accessTokens = new ArrayList<>();
        private volatile String refreshToken;

        Thief(Family family) {
            this.family = family;
            this.refreshToken = family.refreshToken;
            accessTokens.add(family.accessToken);
        }

        @Override
        public void run() {
            try {
                while (!ended.get()) {
                    TokenResponse next = exchange(Map.of("grant_type", "refresh_token",
                            "refresh_token", refreshToken, "client_id", family.clientId));
                    accessTokens.add(next.accessToken().value());
                    refreshToken = next.refreshToken();
                    started.countDown();
                }
            } catch (ApiError refused) {
                // the session ended under the thief: what it holds must all be dead
                refusedAsInvalid(refused);
            } finally {
                started.countDown();
            }
        }
    }

    private record Family(String clientId, String subject, String sessionId, String accessToken, String refreshToken,
            String idToken) {

        /** The user's browser session, in which the family was issued. */
        Session user() {
            return new Session(subject, sessionId, "login-front-end", 1_700_000_000L, 1_700_000_000L, UserClaims.NONE);
        }
    }

    /** A new public PKCE client (so that deleting it is possible every round) and a user's first tokens there. */
    private Family newFamily() {
        Family blank = newFamilyWithoutTokens();
        String code = services.authorizationCodes().issue(blank.clientId, blank.user(), REDIRECT_URI,
                List.of("openid", "files:read"), pkceChallenge(VERIFIER), null);
        TokenResponse first = exchange(Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT_URI, "client_id", blank.clientId, "code_verifier", VERIFIER));
        return new Family(blank.clientId, blank.subject, blank.sessionId, first.accessToken().value(),
                first.refreshToken(), first.idToken());
    }

    private Family newFamilyWithoutTokens() {
        var created = services.clientRegistry().create(owner, new NewClient("race " + UUID.randomUUID(), null, null,
                null, null, null, "https://app.example.com/bye", List.of(REDIRECT_URI), List.of(),
                List.of("openid", "files:read"), true));
        return new Family(created.client().getClientId(), "user-" + UUID.randomUUID(), UUID.randomUUID().toString(),
                null, null, null);
    }

    private String confirmationTicket(Family family, Map<String, List<String>> parameters) {
        Logout.Request request = services.logout().validate(parameters, TestServices.ISSUER);
        return ((Logout.Confirmation) services.logout().start(request, Optional.of(family.user()))).ticket();
    }

    private TokenResponse exchange(Map<String, String> parameters) {
        return services.tokenEndpoint().exchange(TokenRequest.parse(new ApiRequest(formPost(parameters))),
                TestServices.ISSUER);
    }

    /** As a resource server (and this service's own APIs) decide: signature, audience and stored state. */
    private boolean accessTokenWorks(String accessToken) {
        try {
            services.callerAuthenticator().verify(accessToken, TestServices.ISSUER,
                    services.ownAudiences(TestServices.ISSUER));
            return true;
        } catch (ApiError refused) {
            return refusedAsInvalid(refused);
        }
    }

    private boolean refreshWorks(String clientId, String refreshToken) {
        if (refreshToken == null) {
            return false;
        }
        try {
            exchange(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken, "client_id", clientId));
            return true;
        } catch (ApiError refused) {
            return refusedAsInvalid(refused);
        }
    }

    /** false for the refusal a dead token gets; anything else (a 5xx) is no answer about the token and fails. */
    private static boolean refusedAsInvalid(ApiError refused) {
        if (refused.status() >= 500) {
            throw refused;
        }
        return false;
    }

    private Caller tokensAdmin() {
        return caller("admin", Set.of(ServiceScopes.TOKENS_ADMIN));
    }

    private static Caller caller(String subject, Set<String> scopes) {
        return new Caller(subject, "test-caller", scopes, UUID.randomUUID().toString(),
                Clock.systemUTC().instant().getEpochSecond() + 3600, null);
    }

    /** Up to about one refresh's duration, so that the end lands anywhere in a refresh in flight. */
    private static void pause() {
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(8)));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static APIGatewayProxyRequestEvent formPost(Map<String, String> parameters) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> pairs.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return new APIGatewayProxyRequestEvent().withHttpMethod("POST").withResource("/oauth2/token")
                .withPath("/oauth2/token").withHeaders(headers).withBody(String.join("&", pairs));
    }

    private static String pkceChallenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The system clock plus an offset that only grows: time runs as usual, and a test may skip ahead. */
    private static final class RunningClock extends Clock {

        private final java.util.concurrent.atomic.AtomicLong offsetMillis = new java.util.concurrent.atomic.AtomicLong();

        void skip(Duration duration) {
            offsetMillis.addAndGet(duration.toMillis());
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return Clock.systemUTC().instant().plusMillis(offsetMillis.get());
        }
    }
}
