package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.redirectParameters;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.ticketOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.AtRest;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9126 at POST /oauth2/par and GET/POST /oauth2/authorize: a client pushes its request, validated as the
 * authorization endpoint would, and the browser brings only client_id and request_uri, which works once, for that
 * client, for a short time; a client registered to require pushed requests can be authorized no other way.
 */
class PushedAuthorizationRequestsTest {

    private static final String REDIRECT_URI = "https://app.example.com/callback";
    private static final String PREFIX = "urn:ietf:params:oauth:request_uri:";
    private static final String USER = "user-3";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private PushAuthorizationRequestHandler par;
    private String clientId;
    private String secret;
    private String verifier;
    private String userToken;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        oauth = new OAuthEndpoints(services);
        par = new PushAuthorizationRequestHandler(services);
        secret = SecretHasher.newSecret();
        clientId = register("Pusher", secret);
        verifier = OpaqueTokens.newValue();
        userToken = Requests.session(services, USER);
    }

    @Test
    void aPushedRequestBecomesACodeThroughTheAuthorizationEndpoint() throws Exception {
        // WHEN the client pushes its request (with a resource) and the browser opens client_id and request_uri
        APIGatewayProxyResponseEvent pushed = push(clientId, secret, pushedRequest("files:read"));

        // THEN it gets 201 with a one-time request_uri that expires in 90 seconds, not to be cached
        assertEquals(201, pushed.getStatusCode(), pushed.getBody());
        assertEquals("no-store", pushed.getHeaders().get("Cache-Control"));
        String requestUri = json(pushed).path("request_uri").asText();
        assertTrue(requestUri.startsWith(PREFIX), requestUri);
        assertEquals(90, json(pushed).path("expires_in").asInt());
        // AND the request_uri is stored only as its SHA-256
        String value = requestUri.substring(PREFIX.length());
        assertFalse(AtRest.tokenRow(services, "PR#" + AtRest.sha256(value)).isEmpty());
        assertTrue(AtRest.tokenRow(services, "PR#" + value).isEmpty());

        // AND the browser, bringing only client_id and request_uri (other query parameters are not the request),
        // sees the consent page for the pushed scopes, and its approval gives a code
        APIGatewayProxyResponseEvent page = oauth.authorize(userToken,
                Map.of("client_id", clientId, "request_uri", requestUri, "scope", "files:read files:write"));
        assertEquals(200, page.getStatusCode(), page.getBody());
        assertFalse(page.getBody().contains("files:write"));
        Map<String, String> callback = redirectParameters(oauth.decide(userToken, ticketOf(page), "approve"));
        assertEquals("pushed-state", callback.get("state"));

        // AND the code buys tokens for the pushed resource
        JsonNode tokens = json(oauth.token(OAuthEndpoints.withClientSecret(clientId, secret,
                "grant_type", "authorization_code", "code", callback.get("code"), "redirect_uri", REDIRECT_URI,
                "code_verifier", verifier)));
        assertEquals(List.of("https://files.example.com/api"),
                SignedJWT.parse(tokens.path("access_token").asText()).getJWTClaimsSet().getAudience());
    }

    @Test
    void aRequestUriWorksOnceOnly() {
        String requestUri = json(push(clientId, secret, pushedRequest("files:read"))).path("request_uri").asText();
        assertEquals(200, openPushed(clientId, requestUri).getStatusCode());

        APIGatewayProxyResponseEvent reused = openPushed(clientId, requestUri);

        assertEquals(400, reused.getStatusCode());
        assertTrue(reused.getBody().contains("request_uri"), reused.getBody());
    }

    @Test
    void anExpiredRequestUriIsRefused() {
        String requestUri = json(push(clientId, secret, pushedRequest("files:read"))).path("request_uri").asText();
        clock.advance(Duration.ofSeconds(91));

        APIGatewayProxyResponseEvent expired = openPushed(clientId, requestUri);

        assertEquals(400, expired.getStatusCode());
        assertTrue(expired.getBody().contains("request_uri"), expired.getBody());
    }

    @Test
    void anotherClientsRequestUriIsRefusedAndStaysUsableByItsOwner() {
        // GIVEN a request pushed by the client, and another client
        String requestUri = json(push(clientId, secret, pushedRequest("files:read"))).path("request_uri").asText();
        String other = register("Other", SecretHasher.newSecret());

        // WHEN the other client's authorization names that request_uri
        APIGatewayProxyResponseEvent foreign = openPushed(other, requestUri);

        // THEN it is refused, and the request is not used up by the attempt
        assertEquals(400, foreign.getStatusCode());
        assertEquals(200, openPushed(clientId, requestUri).getStatusCode());
    }

    @Test
    void aClientThatMustPushIsRefusedAPlainRequestAndServedAPushedOne() {
        TestServices.changeClient(services, clientId, client -> client.setRequirePushedAuthorizationRequests(true));

        // WHEN the browser brings the request itself
        Map<String, String> plain = new LinkedHashMap<>(pushedRequest("files:read"));
        plain.put("client_id", clientId);
        Map<String, String> refused = redirectParameters(oauth.authorize(userToken, plain));

        // THEN the client hears invalid_request at its redirect URI
        assertEquals("invalid_request", refused.get("error"));
        assertTrue(refused.get("error_description").contains("push"), refused.get("error_description"));
        // AND a pushed request goes through, by GET or by a posted form (OpenID Connect Core §3.1.2.1)
        String byGet = json(push(clientId, secret, pushedRequest("files:read"))).path("request_uri").asText();
        assertEquals(200, openPushed(clientId, byGet).getStatusCode());
        String byPost = json(push(clientId, secret, pushedRequest("files:read"))).path("request_uri").asText();
        APIGatewayProxyResponseEvent posted = oauth.authorizeByForm(userToken,
                Map.of("client_id", clientId, "request_uri", byPost));
        assertEquals(200, posted.getStatusCode(), posted.getBody());
    }

    @Test
    void aPushIsValidatedAsTheAuthorizationEndpointWouldAndAnsweredInJson() {
        Map<String, String> badRedirect = new LinkedHashMap<>(pushedRequest("files:read"));
        badRedirect.put("redirect_uri", "https://evil.example.com/cb");
        Map<String, String> badScope = pushedRequest("files:delete");
        Map<String, String> badResource = new LinkedHashMap<>(pushedRequest("files:read"));
        badResource.put("resource", "https://mail.example.com");
        Map<String, String> nested = new LinkedHashMap<>(pushedRequest("files:read"));
        nested.put("request_uri", PREFIX + "x");

        assertEquals("invalid_request", error(push(clientId, secret, badRedirect), 400));
        assertEquals("invalid_scope", error(push(clientId, secret, badScope), 400));
        assertEquals("invalid_target", error(push(clientId, secret, badResource), 400));
        assertEquals("invalid_request", error(push(clientId, secret, nested), 400));
    }

    @Test
    void aPushNeedsTheClientsCredentials() {
        // WHEN a push comes with a wrong secret, THEN it is 401 invalid_client
        assertEquals("invalid_client", error(push(clientId, "wrong-" + secret, pushedRequest("files:read")), 401));
        // AND with the right one it is served
        assertEquals(201, push(clientId, secret, pushedRequest("files:read")).getStatusCode());
    }

    private static String error(APIGatewayProxyResponseEvent response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        return json(response).path("error").asText();
    }

    private APIGatewayProxyResponseEvent openPushed(String client, String requestUri) {
        return oauth.authorize(userToken, Map.of("client_id", client, "request_uri", requestUri));
    }

    private APIGatewayProxyResponseEvent push(String client, String clientSecret, Map<String, String> request) {
        Map<String, String> form = OAuthEndpoints.withClientSecret(client, clientSecret);
        form.putAll(request);
        return par.handleRequest(OAuthEndpoints.formPost("/oauth2/par", form), null);
    }

    private Map<String, String> pushedRequest(String scope) {
        Map<String, String> request = OAuthEndpoints.codeRequest("ignored", REDIRECT_URI, scope, verifier);
        request.remove("client_id");
        request.put("state", "pushed-state");
        request.put("resource", "https://files.example.com/api");
        return request;
    }

    private String register(String name, String clientSecret) {
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, name, clientSecret);
        client.setScopes(List.of("files:read", "files:write"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        client.setAuthenticationMethods(List.of("client_secret_post"));
        client.setResources(List.of("https://files.example.com/api"));
        services.clientRepository().create(client);
        return client.getClientId();
    }
}
