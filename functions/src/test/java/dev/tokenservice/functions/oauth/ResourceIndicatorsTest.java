package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.redirectParameters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8707 resource indicators: the resource parameter of authorization and token requests becomes the access
 * token's audience, for what the client registry lets the client ask for, and a refresh narrows but never widens.
 */
class ResourceIndicatorsTest {

    private static final String REDIRECT_URI = "https://app.example.com/callback";
    private static final String FILES_API = "https://files.example.com/api";
    private static final String MAIL_API = "https://mail.example.com";
    private static final String USER = "user-7";

    private Services services;
    private OAuthEndpoints oauth;
    private String clientId;
    private String secret;
    private String verifier;

    @BeforeEach
    void setUp() {
        MutableClock clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        oauth = new OAuthEndpoints(services);
        secret = SecretHasher.newSecret();
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Resource user", secret);
        client.setScopes(List.of("openid", "files:read"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        client.setGrantTypes(List.of("authorization_code", "refresh_token", "client_credentials"));
        client.setResources(List.of(FILES_API, MAIL_API));
        services.clientRepository().create(client);
        clientId = client.getClientId();
        verifier = OpaqueTokens.newValue();
    }

    @Test
    void clientCredentialsTokensAreForTheResourcesAsked() throws Exception {
        // WHEN the client asks for a token for both its registered resources (the parameter repeated)
        APIGatewayProxyResponseEvent response = oauth.token(form("grant_type", "client_credentials",
                "resource", FILES_API, "resource", MAIL_API));

        // THEN the token's audience is exactly those resources
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals(List.of(FILES_API, MAIL_API), audienceOf(json(response)));
        // AND without resource it is this service's own audience, as before
        assertEquals(List.of(TestServices.ISSUER),
                audienceOf(json(oauth.token(form("grant_type", "client_credentials")))));
    }

    @Test
    void aResourceTheClientMayNotAskForIsInvalidTarget() {
        // WHEN the client names a resource its registry entry does not list, or no absolute URI, or one with a fragment
        for (String resource : List.of("https://evil.example.com", "/files", "https://files.example.com/api#x")) {
            APIGatewayProxyResponseEvent refused = oauth.token(form("grant_type", "client_credentials",
                    "resource", FILES_API, "resource", resource));

            // THEN it gets invalid_target (RFC 8707 §2) naming the field
            assertEquals(400, refused.getStatusCode(), resource);
            assertEquals("invalid_target", json(refused).path("error").asText(), resource);
            assertTrue(json(refused).path("error_description").asText().startsWith("resource"), refused.getBody());
        }
        // AND a value of the wrong form is refused for its form, before anyone looks at what is registered
        assertTrue(json(oauth.token(form("grant_type", "client_credentials", "resource", "/files")))
                .path("error_description").asText().contains("is not an absolute URI"));
        assertTrue(json(oauth.token(form("grant_type", "client_credentials", "resource",
                "https://files.example.com/api#x"))).path("error_description").asText().contains("fragment"));
    }

    @Test
    void atMostTwelveResourcesAreReadFromOneRequest() throws Exception {
        // GIVEN the client's two resources named six times each (twelve values, duplicates dropped)
        String[] twelve = new String[24 + 2];
        twelve[0] = "grant_type";
        twelve[1] = "client_credentials";
        for (int i = 0; i < 12; i++) {
            twelve[2 + 2 * i] = "resource";
            twelve[3 + 2 * i] = i % 2 == 0 ? FILES_API : MAIL_API;
        }
        APIGatewayProxyResponseEvent accepted = oauth.token(form(twelve));
        assertEquals(200, accepted.getStatusCode(), accepted.getBody());
        assertEquals(List.of(FILES_API, MAIL_API), audienceOf(json(accepted)));

        // WHEN one more is named THEN invalid_target, before any lookup
        String[] thirteen = java.util.Arrays.copyOf(twelve, 28);
        thirteen[26] = "resource";
        thirteen[27] = FILES_API;
        APIGatewayProxyResponseEvent refused = oauth.token(form(thirteen));
        assertEquals(400, refused.getStatusCode(), refused.getBody());
        assertEquals("invalid_target", json(refused).path("error").asText());
        assertTrue(json(refused).path("error_description").asText().contains("at most 12"), refused.getBody());
    }

    @Test
    void aClientWithoutRegisteredResourcesMayAskOnlyForThisService() {
        // GIVEN a client with no resources registered
        TestServices.changeClient(services, clientId, client -> client.setResources(null));

        // THEN this service's own audience is granted and any other resource refused
        assertEquals(200, oauth.token(form("grant_type", "client_credentials", "resource", TestServices.ISSUER))
                .getStatusCode());
        APIGatewayProxyResponseEvent refused = oauth.token(form("grant_type", "client_credentials",
                "resource", FILES_API));
        assertEquals("invalid_target", json(refused).path("error").asText());
    }

    @Test
    void theCodeAndRefreshTokensNarrowToResourcesGrantedAtAuthorizationAndNeverWiden() throws Exception {
        // GIVEN a user who authorized the client for the files API only
        String code = approvedCode(List.of(FILES_API));

        // WHEN the code is exchanged without resource
        JsonNode tokens = json(oauth.token(form("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT_URI, "code_verifier", verifier)));

        // THEN the access token is for the files API (and this issuer, for userinfo, as openid was granted)
        assertEquals(List.of(FILES_API, TestServices.ISSUER), audienceOf(tokens));
        String refreshToken = tokens.path("refresh_token").asText();

        // WHEN a refresh asks for the mail API, which the client may ask for but the user did not grant
        APIGatewayProxyResponseEvent widened = oauth.token(form("grant_type", "refresh_token",
                "refresh_token", refreshToken, "resource", MAIL_API));

        // THEN it is invalid_target, and the refresh token is not used up by the refused request
        assertEquals(400, widened.getStatusCode());
        assertEquals("invalid_target", json(widened).path("error").asText());
        APIGatewayProxyResponseEvent narrowed = oauth.token(form("grant_type", "refresh_token",
                "refresh_token", refreshToken, "resource", FILES_API, "scope", "files:read"));
        assertEquals(200, narrowed.getStatusCode(), narrowed.getBody());
        assertEquals(List.of(FILES_API), audienceOf(json(narrowed)));

        // AND the next refresh still holds what was granted at authorization, not only the last narrowing
        APIGatewayProxyResponseEvent again = oauth.token(form("grant_type", "refresh_token",
                "refresh_token", json(narrowed).path("refresh_token").asText()));
        assertEquals(List.of(FILES_API), audienceOf(json(again)));
    }

    @Test
    void aCodeExchangeMayNarrowTheResourcesOfItsRequest() throws Exception {
        String code = approvedCode(List.of(FILES_API, MAIL_API));

        APIGatewayProxyResponseEvent response = oauth.token(form("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT_URI, "code_verifier", verifier, "resource", MAIL_API));

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals(List.of(MAIL_API, TestServices.ISSUER), audienceOf(json(response)));
    }

    @Test
    void aCodeGrantedWithoutResourcesMayNameThisServiceButNoOtherResourceAtTheTokenEndpoint() throws Exception {
        // GIVEN a code the user granted without resource indicators: it is for this service's own audience
        String code = approvedCode(List.of());

        // WHEN its exchange names another resource the client may ask for THEN invalid_target (RFC 8707 §2.2)
        APIGatewayProxyResponseEvent widened = oauth.token(form("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT_URI, "code_verifier", verifier, "resource", MAIL_API));
        assertEquals("invalid_target", json(widened).path("error").asText());

        // WHEN it names this service itself THEN that is what the grant holds, and the token is for it
        APIGatewayProxyResponseEvent own = oauth.token(form("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT_URI, "code_verifier", verifier, "resource", TestServices.ISSUER));
        assertEquals(200, own.getStatusCode(), own.getBody());
        assertEquals(List.of(TestServices.ISSUER), audienceOf(json(own)));
    }

    @Test
    void anAuthorizationRequestForAResourceTheClientMayNotAskForGoesBackAsInvalidTarget() {
        Map<String, List<String>> query = query(List.of(FILES_API, "https://evil.example.com"));

        APIGatewayProxyResponseEvent response = oauth.authorizeMulti(Requests.session(services, USER), query);

        Map<String, String> callback = redirectParameters(response);
        assertEquals("invalid_target", callback.get("error"));
        assertEquals("xyz-state", callback.get("state"));
    }

    private String approvedCode(List<String> resources) {
        String user = Requests.session(services, USER);
        APIGatewayProxyResponseEvent page = oauth.authorizeMulti(user, query(resources));
        assertEquals(200, page.getStatusCode(), page.getBody());
        return redirectParameters(oauth.decide(user, OAuthEndpoints.ticketOf(page), "approve")).get("code");
    }

    private Map<String, List<String>> query(List<String> resources) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, "openid files:read", verifier)
                .forEach((name, value) -> query.put(name, List.of(value)));
        if (!resources.isEmpty()) {
            query.put("resource", resources);
        }
        return query;
    }

    /** A client_secret_post form of name/value pairs, a name given as often as it appears. */
    private String form(String... pairs) {
        List<String> encoded = new ArrayList<>();
        encoded.add("client_id=" + clientId);
        encoded.add("client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8));
        for (int i = 0; i < pairs.length; i += 2) {
            encoded.add(pairs[i] + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return String.join("&", encoded);
    }

    private static List<String> audienceOf(JsonNode tokenResponse) throws Exception {
        return SignedJWT.parse(tokenResponse.path("access_token").asText()).getJWTClaimsSet().getAudience();
    }
}
