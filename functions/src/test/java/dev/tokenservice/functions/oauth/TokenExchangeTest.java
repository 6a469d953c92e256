package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8693 token exchange at POST /oauth2/token: a live access token of this service becomes a token for the
 * audience the client registry allows, with no wider scope, no longer life, in the subject token's family, with the
 * actor named in act when one is given; every refusal as the RFC names it.
 */
class TokenExchangeTest {

    private static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
    private static final String FILES_API = "https://files.example.com/api";
    private static final String USER = "user-9";
    private static final String SESSION = "session-9";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private String clientId;
    private String secret;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        oauth = new OAuthEndpoints(services);
        secret = SecretHasher.newSecret();
        clientId = register("Gateway", secret, List.of("client_credentials", EXCHANGE), List.of(FILES_API));
    }

    @Test
    void aLiveUserTokenBecomesANarrowerTokenForTheAudienceAsked() throws Exception {
        // GIVEN a user's token at the client, for this service, with two scopes, in a session
        String subjectToken = userToken(clientId, "files:read files:write", Duration.ofMinutes(30), Map.of());

        // WHEN the client exchanges it for a token for the files API with one of the scopes
        APIGatewayProxyResponseEvent response = exchange(subjectToken, "audience", FILES_API, "scope", "files:read");

        // THEN it gets an access token (RFC 8693 §2.2.1), not cached, with no refresh token
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("no-store", response.getHeaders().get("Cache-Control"));
        JsonNode body = json(response);
        assertEquals(ACCESS_TOKEN, body.path("issued_token_type").asText());
        assertEquals("Bearer", body.path("token_type").asText());
        assertEquals("files:read", body.path("scope").asText());
        assertTrue(body.path("refresh_token").isMissingNode());
        // AND the token is about the same user, issued to the client, for the files API, in the user's session
        JWTClaimsSet claims = claimsOf(body);
        assertEquals(USER, claims.getSubject());
        assertEquals(clientId, claims.getStringClaim("client_id"));
        assertEquals(List.of(FILES_API), claims.getAudience());
        assertEquals(SESSION, claims.getStringClaim("sid"));
        assertNull(claims.getClaim("act"));
        // AND it is stored like every token: introspection knows it
        assertTrue(introspect(body.path("access_token").asText()));
    }

    @Test
    void aScopeTheSubjectTokenDoesNotHoldIsInvalidScope() {
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());

        APIGatewayProxyResponseEvent widened = exchange(subjectToken, "scope", "files:read files:write");

        assertEquals(400, widened.getStatusCode());
        assertEquals("invalid_scope", json(widened).path("error").asText());
    }

    @Test
    void anAudienceTheClientRegistryDoesNotAllowIsInvalidTarget() {
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());

        APIGatewayProxyResponseEvent refused = exchange(subjectToken, "resource", "https://mail.example.com");

        assertEquals(400, refused.getStatusCode());
        assertEquals("invalid_target", json(refused).path("error").asText());
    }

    @Test
    void aRevokedOrExpiredSubjectTokenIsRefused() throws Exception {
        // GIVEN a subject token that was revoked
        String revoked = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());
        services.tokenRepository().markRevoked(TokenKeys.accessToken(claimsOf(revoked).getJWTID()),
                clock.millis());
        // AND one that has expired
        String expired = userToken(clientId, "files:read", Duration.ofMinutes(5), Map.of());
        clock.advance(Duration.ofMinutes(6));

        for (String subjectToken : List.of(revoked, expired)) {
            APIGatewayProxyResponseEvent refused = exchange(subjectToken);

            // THEN neither is exchanged: invalid_request naming subject_token (RFC 8693 §2.2.2)
            assertEquals(400, refused.getStatusCode(), refused.getBody());
            assertEquals("invalid_request", json(refused).path("error").asText());
            assertTrue(json(refused).path("error_description").asText().startsWith("subject_token"), refused.getBody());
        }
    }

    @Test
    void theExchangedTokenNeverOutlivesTheSubjectTokenAndDiesWithItsSession() throws Exception {
        // GIVEN a subject token with two minutes left (less than an access token's lifetime)
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(2), Map.of());

        String exchanged = json(exchange(subjectToken)).path("access_token").asText();

        // THEN the new token expires with the subject token
        assertEquals(claimsOf(subjectToken).getExpirationTime(), claimsOf(exchanged).getExpirationTime());
        // AND when the subject token's session is ended (sign-out, refresh token reuse), the exchanged token ends too
        assertTrue(introspect(exchanged));
        services.tokenRepository().revokeSession(SESSION, clock.instant().plus(Duration.ofDays(1)).getEpochSecond());
        assertFalse(introspect(exchanged));
    }

    @Test
    void anActorTokenIsNamedInActNestingTheSubjectTokensEarlierActor() throws Exception {
        // GIVEN a subject token already used on behalf of an earlier actor, and the client's own token as actor
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30),
                Map.of("act", Map.of("sub", "earlier-service")));
        String actorToken = json(oauth.token(OAuthEndpoints.withClientSecret(clientId, secret,
                "grant_type", "client_credentials"))).path("access_token").asText();

        // WHEN the client exchanges the subject token with its own token as actor
        APIGatewayProxyResponseEvent response = exchange(subjectToken, "actor_token", actorToken,
                "actor_token_type", ACCESS_TOKEN);

        // THEN act names the client as the current actor, the earlier actor nested inside (RFC 8693 §4.1)
        assertEquals(200, response.getStatusCode(), response.getBody());
        Map<String, Object> act = claimsOf(json(response)).getJSONObjectClaim("act");
        assertEquals(clientId, act.get("sub"));
        assertEquals(clientId, act.get("client_id"));
        assertEquals(Map.of("sub", "earlier-service"), act.get("act"));

        // AND without an actor token the earlier actor is kept as it was
        Map<String, Object> kept = claimsOf(json(exchange(subjectToken))).getJSONObjectClaim("act");
        assertEquals(Map.of("sub", "earlier-service"), kept);
    }

    @Test
    void anActorTokenOfAnotherClientOrWithoutItsTypeIsRefused() {
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());
        String otherSecret = SecretHasher.newSecret();
        String other = register("Other", otherSecret, List.of("client_credentials"), null);
        String othersToken = json(oauth.token(OAuthEndpoints.withClientSecret(other, otherSecret,
                "grant_type", "client_credentials"))).path("access_token").asText();
        String ownToken = json(oauth.token(OAuthEndpoints.withClientSecret(clientId, secret,
                "grant_type", "client_credentials"))).path("access_token").asText();

        APIGatewayProxyResponseEvent foreignActor = exchange(subjectToken, "actor_token", othersToken,
                "actor_token_type", ACCESS_TOKEN);
        APIGatewayProxyResponseEvent untyped = exchange(subjectToken, "actor_token", ownToken);
        APIGatewayProxyResponseEvent notLive = exchange(subjectToken, "actor_token", "not-a-token",
                "actor_token_type", ACCESS_TOKEN);

        for (var refused : List.of(foreignActor, untyped, notLive)) {
            assertEquals(400, refused.getStatusCode(), refused.getBody());
            assertEquals("invalid_request", json(refused).path("error").asText());
            assertTrue(json(refused).path("error_description").asText().contains("actor_token"), refused.getBody());
        }
    }

    @Test
    void aTokenExchangedFromAnotherClientsGrantEndsWhenThatGrantEnds() throws Exception {
        // GIVEN a user's token at a web application, meant for the gateway too (aud), exchanged by the gateway
        String web = register("Web", SecretHasher.newSecret(), List.of("authorization_code"), null);
        String forTheGateway = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, USER,
                web, List.of("files:read"), List.of(TestServices.ISSUER, clientId), Duration.ofMinutes(30))
                .inSession(null, clock.millis())).value();
        String exchanged = json(exchange(forTheGateway)).path("access_token").asText();
        assertEquals(web, claimsOf(exchanged).getStringClaim("grant_client_id"));
        // AND that token exchanged once more by the gateway, which keeps naming the web application's grant
        String again = json(exchange(exchanged)).path("access_token").asText();
        assertEquals(web, claimsOf(again).getStringClaim("grant_client_id"));
        assertTrue(introspect(exchanged) && introspect(again));

        // WHEN the user's consent to the web application is revoked (every grant of the user there ends)
        services.tokenRepository().revokeGrantsUpToNow(TokenKeys.subjectAtClientRevocation(web, USER), clock,
                Duration.ofDays(1));

        // THEN the gateway's exchanged tokens end with it, though they are the gateway's and have no session
        assertFalse(introspect(exchanged));
        assertFalse(introspect(again));
        // AND so does an exchanged token when the web application is deleted (its client-level record)
        String later = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, "user-10",
                web, List.of("files:read"), List.of(TestServices.ISSUER, clientId), Duration.ofMinutes(30))
                .inSession(null, clock.millis() + 1)).value();
        clock.advance(Duration.ofMillis(5));
        String laterExchanged = json(exchange(later)).path("access_token").asText();
        assertTrue(introspect(laterExchanged));
        services.tokenRepository().revokeGrantsUpToNow(TokenKeys.clientRevocation(web), clock, Duration.ofDays(1));
        assertFalse(introspect(laterExchanged));
        // AND a token the gateway exchanges from its own grant names no other client's
        assertNull(claimsOf(json(exchange(userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of())))
                .path("access_token").asText()).getClaim("grant_client_id"));
    }

    @Test
    void aSubjectTokenOfAnotherClientNotMeantForThisOneIsRefused() {
        String other = register("Other", SecretHasher.newSecret(), List.of("client_credentials"), null);
        String othersUserToken = userToken(other, "files:read", Duration.ofMinutes(30), Map.of());

        APIGatewayProxyResponseEvent refused = exchange(othersUserToken);

        assertEquals(400, refused.getStatusCode());
        assertEquals("invalid_request", json(refused).path("error").asText());
    }

    @Test
    void onlyAccessTokensAreExchangedAndOnlyByClientsAllowedTheGrant() {
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());

        APIGatewayProxyResponseEvent refreshAsked = exchange(subjectToken, "requested_token_type",
                "urn:ietf:params:oauth:token-type:refresh_token");
        assertEquals("invalid_request", json(refreshAsked).path("error").asText());
        assertTrue(json(refreshAsked).path("error_description").asText().startsWith("requested_token_type"));

        String plainSecret = SecretHasher.newSecret();
        String plain = register("Plain", plainSecret, List.of("client_credentials"), null);
        APIGatewayProxyResponseEvent notAllowed = oauth.token(OAuthEndpoints.withClientSecret(plain, plainSecret,
                "grant_type", EXCHANGE, "subject_token", subjectToken, "subject_token_type", ACCESS_TOKEN));
        assertEquals("unauthorized_client", json(notAllowed).path("error").asText());
    }

    @Test
    void theExchangedTokenLivesItsOwnLifetimeWhenTheSubjectTokenOutlivesIt() throws Exception {
        // GIVEN a subject token with three hours left, longer than an access token lives
        String subjectToken = userToken(clientId, "files:read", Duration.ofHours(3), Map.of());

        // WHEN it is exchanged without naming an audience
        JWTClaimsSet exchanged = claimsOf(json(exchange(subjectToken)));

        // THEN the new token lives an access token's lifetime from now, not the subject token's
        assertEquals(clock.instant().plus(services.settings().accessTokenTtl()).getEpochSecond(),
                exchanged.getExpirationTime().toInstant().getEpochSecond());
        // AND it is for this service, the audience of a token that names none
        assertEquals(List.of(TestServices.ISSUER), exchanged.getAudience());
    }

    @Test
    void anAudienceNamedAsResourceAndAsAudienceIsListedOnce() throws Exception {
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());

        JWTClaimsSet exchanged = claimsOf(json(exchange(subjectToken, "resource", FILES_API, "audience", FILES_API)));

        assertEquals(List.of(FILES_API), exchanged.getAudience());
    }

    @Test
    void anActorWithoutAnEarlierActorIsTheWholeActClaim() throws Exception {
        // GIVEN a subject token nobody acted on before, and the client's own token as actor
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());
        String actorToken = json(oauth.token(OAuthEndpoints.withClientSecret(clientId, secret,
                "grant_type", "client_credentials"))).path("access_token").asText();

        // WHEN exchanged with the actor THEN act names the actor and nothing else (no empty nested act)
        Map<String, Object> act = claimsOf(json(exchange(subjectToken, "actor_token", actorToken,
                "actor_token_type", ACCESS_TOKEN))).getJSONObjectClaim("act");
        assertEquals(Map.of("sub", clientId, "client_id", clientId), act);
    }

    @Test
    void theSubjectTokensTypeIsRequiredAndAnActorTypeNeedsAnActor() {
        String subjectToken = userToken(clientId, "files:read", Duration.ofMinutes(30), Map.of());

        APIGatewayProxyResponseEvent untyped = oauth.token(OAuthEndpoints.withClientSecret(clientId, secret,
                "grant_type", EXCHANGE, "subject_token", subjectToken));
        APIGatewayProxyResponseEvent idTokenType = oauth.token(OAuthEndpoints.withClientSecret(clientId, secret,
                "grant_type", EXCHANGE, "subject_token", subjectToken,
                "subject_token_type", "urn:ietf:params:oauth:token-type:id_token"));
        APIGatewayProxyResponseEvent typeWithoutActor = exchange(subjectToken, "actor_token_type", ACCESS_TOKEN);

        for (var refused : List.of(untyped, idTokenType)) {
            assertEquals(400, refused.getStatusCode(), refused.getBody());
            assertEquals("invalid_request", json(refused).path("error").asText());
            assertTrue(json(refused).path("error_description").asText().contains("subject_token_type"),
                    refused.getBody());
        }
        assertEquals(400, typeWithoutActor.getStatusCode(), typeWithoutActor.getBody());
        assertEquals("actor_token_type was sent without actor_token",
                json(typeWithoutActor).path("error_description").asText());
    }

    @Test
    void theUsersClaimsTravelWithTheExchangedTokenForItsScopes() throws Exception {
        // GIVEN a user's openid token whose grant keeps the user's name and email
        String withClaims = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, USER,
                clientId, List.of("openid", "profile"), List.of(TestServices.ISSUER), Duration.ofMinutes(30))
                .inSession(SESSION, clock.millis())
                .withUserClaims("{\"claims\":{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}}")).value();

        // WHEN it is exchanged for a token with the same scopes
        String exchanged = json(exchange(withClaims, "scope", "openid profile")).path("access_token").asText();

        // THEN userinfo with the new token still knows the user's name (profile), and not the email (no email scope)
        JsonNode info = json(oauth.userInfo(exchanged));
        assertEquals("Ada Lovelace", info.path("name").asText(), info.toString());
        assertTrue(info.path("email").isMissingNode(), info.toString());
    }

    private APIGatewayProxyResponseEvent exchange(String subjectToken, String... more) {
        String[] pairs = new String[6 + more.length];
        pairs[0] = "grant_type";
        pairs[1] = EXCHANGE;
        pairs[2] = "subject_token";
        pairs[3] = subjectToken;
        pairs[4] = "subject_token_type";
        pairs[5] = ACCESS_TOKEN;
        System.arraycopy(more, 0, pairs, 6, more.length);
        return oauth.token(OAuthEndpoints.withClientSecret(clientId, secret, pairs));
    }

    /** A user's access token at the client, as the code flow issues it: in the session, for this service. */
    private String userToken(String client, String scope, Duration ttl, Map<String, Object> claims) {
        return services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, USER, client,
                List.of(scope.split(" ")), List.of(TestServices.ISSUER), ttl)
                .inSession(SESSION, clock.millis()).withClaims(claims)).value();
    }

    private boolean introspect(String token) {
        return json(oauth.introspect(OAuthEndpoints.withClientSecret(clientId, secret, "token", token)))
                .path("active").asBoolean();
    }

    private String register(String name, String clientSecret, List<String> grants, List<String> resources) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, name, clientSecret);
        client.setScopes(List.of("files:read", "files:write"));
        client.setGrantTypes(grants);
        client.setAuthenticationMethods(List.of("client_secret_post"));
        client.setResources(resources);
        services.clientRepository().create(client);
        return client.getClientId();
    }

    private static JWTClaimsSet claimsOf(JsonNode tokenResponse) throws Exception {
        return claimsOf(tokenResponse.path("access_token").asText());
    }

    private static JWTClaimsSet claimsOf(String token) throws Exception {
        return SignedJWT.parse(token).getJWTClaimsSet();
    }
}
