package dev.tokenservice.functions.clients;

import static dev.tokenservice.functions.clients.DocSpaceApi.json;
import static dev.tokenservice.functions.clients.DocSpaceApi.validClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.consents.ConsentItem;
import dev.tokenservice.consents.ConsentSchema;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A user's consents: listed in DocSpace's shape, and revoked together with every token under them. */
class ConsentsTest {

    private MutableClock clock;
    private DocSpaceApi api;
    private String clientId;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        api = new DocSpaceApi(TestServices.create(clock));
        String owner = api.tokenFor("owner-1", List.of(ServiceScopes.CLIENTS_WRITE));
        clientId = api.createOk(owner, validClient("Consented")).path("client_id").asText();
    }

    @Test
    void revokingAConsentStopsTheUsersTokensAtThatClientAtOnceAndOnlyThose() {
        // GIVEN two users who consented to the client, each holding a token there
        consent("user-1", "openid files:read");
        consent("user-2", "openid");
        String usersToken = userToken("user-1", clientId);
        String othersToken = userToken("user-2", clientId);
        assertEquals(1, json(api.consents(usersToken, "?limit=10")).path("data").size());

        // WHEN the first user revokes their consent
        var response = api.revoke(usersToken, clientId);

        // THEN their token stops at once, their consent is gone, and the other user's token and consent remain
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("", response.getBody());
        assertEquals(401, assertThrows(ApiError.class, () -> authenticate(usersToken)).status());
        assertEquals("user-2", authenticate(othersToken).subject());
        assertEquals(clientId, json(api.consents(othersToken, "?limit=10")).path("data").get(0)
                .path("registered_client_id").asText());
        clock.advance(Duration.ofMillis(5));
        String newToken = userToken("user-1", clientId);
        assertEquals("user-1", authenticate(newToken).subject(), "a new grant works again");
        assertEquals(0, json(api.consents(newToken, "?limit=10")).path("data").size(), "the consent is gone");
    }

    @Test
    void consentsAreListedNewestFirstWithTheClientsPublicFace() {
        consent("user-1", "openid files:read");
        String second = api.createOk(api.tokenFor("owner-1", List.of(ServiceScopes.CLIENTS_WRITE)),
                validClient("Second")).path("client_id").asText();
        clock.advance(Duration.ofSeconds(1));
        consentFor(second, "user-1", "openid");
        String token = userToken("user-1", clientId);

        JsonNode page = json(api.consents(token, "?limit=1"));

        assertEquals(1, page.path("limit").asInt());
        JsonNode newest = page.path("data").get(0);
        assertEquals(second, newest.path("registered_client_id").asText());
        assertEquals("openid", newest.path("scopes").asText());
        assertEquals("Second", newest.path("client").path("name").asText());
        String cursor = page.path("last_modified_on").asText();
        JsonNode next = json(api.consents(token, "?limit=1&last_modified_on=" + cursor.replace("Z", "%2B0000")));
        assertEquals(clientId, next.path("data").get(0).path("registered_client_id").asText());
        assertEquals("openid files:read", next.path("data").get(0).path("scopes").asText());
        assertTrue(next.path("last_modified_on").isNull());
    }

    @Test
    void revokingForAnUnknownClientIs404AndTheListingNeedsALimit() {
        String token = userToken("user-1", clientId);

        assertEquals(404, api.revoke(token, "9b2c6c1e-2f0a-4c59-9a51-0c1d2e3f4a5b").getStatusCode());
        assertEquals(400, api.consents(token, "").getStatusCode());
        assertEquals(401, api.revoke(null, clientId).getStatusCode());
    }

    private void consent(String principal, String scopes) {
        consentFor(clientId, principal, scopes);
    }

    private void consentFor(String client, String principal, String scopes) {
        ConsentItem consent = new ConsentItem();
        consent.setClientId(client);
        consent.setPrincipal(principal);
        consent.setScopes(scopes);
        consent.setModifiedAt(Timestamps.format(clock.instant()));
        api.services.tables().of(ConsentSchema.TABLE).putItem(consent);
    }

    private String userToken(String user, String client) {
        return api.services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, user, client,
                List.of("openid"), List.of(TestServices.ISSUER), Duration.ofHours(1))).value();
    }

    private Caller authenticate(String token) {
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent()
                .withHttpMethod("GET").withHeaders(Map.of("Authorization", "Bearer " + token));
        return api.services.callerAuthenticator().authenticate(new ApiRequest(event), TestServices.ISSUER);
    }
}
