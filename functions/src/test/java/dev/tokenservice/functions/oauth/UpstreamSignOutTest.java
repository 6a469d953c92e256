package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.sessions.NewSession;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RP-initiated logout that reaches the upstream OpenID provider (on loopback) which signed the session in: this
 * service ends the session first, then the browser visits the upstream's end_session_endpoint and comes back to
 * the signed-out route, which sends it on to the client's registered logout URI; only a state this service wrote
 * leads anywhere.
 */
class UpstreamSignOutTest {

    private static final String LOGOUT_URI = "https://app.example.com/signed-out";
    private static final String SIGNED_OUT = TestServices.ISSUER + "/oauth2/upstream/idp/signed-out";

    private MutableClock clock;
    private FakeUpstream upstream;
    private Services services;
    private OAuthEndpoints oauth;
    private FinishUpstreamSignOutHandler signedOut;
    private String clientId;

    @BeforeEach
    void setUp() throws Exception {
        clock = MutableClock.startingNow();
        upstream = new FakeUpstream(clock);
        services = TestServices.create(clock, Map.of(
                "UPSTREAM_ISSUER_URL", upstream.issuer(),
                "UPSTREAM_CLIENT_ID", FakeUpstream.CLIENT_ID,
                "UPSTREAM_CLIENT_SECRET", FakeUpstream.CLIENT_SECRET));
        oauth = new OAuthEndpoints(services);
        signedOut = new FinishUpstreamSignOutHandler(services);
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Photo Printer", SecretHasher.newSecret());
        client.setScopes(List.of("openid"));
        client.setRedirectUris(List.of("https://app.example.com/callback"));
        client.setLogoutRedirectUris(List.of(LOGOUT_URI));
        services.clientRepository().create(client);
        clientId = client.getClientId();
    }

    @AfterEach
    void tearDown() {
        upstream.close();
    }

    @Test
    void aSessionTheUpstreamSignedInIsSignedOutThereTooAndTheBrowserGoesOnToTheClient() {
        // GIVEN a browser session the upstream signed in
        String session = upstreamSession();

        // WHEN the person confirms the client's logout request
        APIGatewayProxyResponseEvent confirmed = confirmLogout(session, "logout");

        // THEN this service's session has ended, and the browser goes to the upstream's end_session_endpoint with
        // this service's client id and signed-out route
        assertTrue(services.sessions().check(Optional.of(session), TestServices.ISSUER).session().isEmpty());
        assertEquals(302, confirmed.getStatusCode(), confirmed.getBody());
        URI location = URI.create(confirmed.getHeaders().get("Location"));
        assertEquals(upstream.issuer() + "/logout", location.getScheme() + "://" + location.getRawAuthority()
                + location.getRawPath());
        Map<String, String> sent = query(location);
        assertEquals(FakeUpstream.CLIENT_ID, sent.get("client_id"));
        assertEquals(SIGNED_OUT, sent.get("post_logout_redirect_uri"));

        // WHEN the upstream sends the browser back with the state THEN it goes on to the client's logout URI, with
        // the client's own state
        APIGatewayProxyResponseEvent back = signedOut(sent.get("state"));
        assertEquals(302, back.getStatusCode(), back.getBody());
        assertEquals(LOGOUT_URI + "?state=rp-state", back.getHeaders().get("Location"));
    }

    @Test
    void onlyAStateThisServiceWroteForThisUpstreamLeadsAnywhere() {
        String state = query(URI.create(confirmLogout(upstreamSession(), "logout").getHeaders().get("Location")))
                .get("state");
        // GIVEN a forged, a missing, and an altered state WHEN the browser comes back with it THEN a page, no redirect
        for (String bad : new String[] {null, "forged", state.substring(0, state.length() - 2) + "xx"}) {
            APIGatewayProxyResponseEvent page = signedOut(bad);
            assertEquals(400, page.getStatusCode(), String.valueOf(bad));
            assertTrue(!page.getHeaders().containsKey("Location"), String.valueOf(bad));
        }
        // AND a genuine state that came back for another upstream, or after ten minutes, is refused too
        APIGatewayProxyRequestEvent otherUpstream = signedOutEvent(state);
        otherUpstream.setPathParameters(Map.of("upstream", "other"));
        assertEquals(400, signedOut.handleRequest(otherUpstream, null).getStatusCode());
        clock.advance(Duration.ofSeconds(601));
        assertEquals(400, signedOut(state).getStatusCode());
    }

    @Test
    void aSessionOfAnotherFrontEndOrOneThatStaysNeverVisitsTheUpstream() {
        // GIVEN a session minted by another login front end WHEN it is signed out THEN straight to the client
        APIGatewayProxyResponseEvent direct = confirmLogout(Requests.session(services, "user-9"), "logout");
        assertEquals(LOGOUT_URI + "?state=rp-state", direct.getHeaders().get("Location"));
        // GIVEN an upstream's session WHEN the person chooses to stay THEN nothing goes to the upstream
        APIGatewayProxyResponseEvent stayed = confirmLogout(upstreamSession(), "stay");
        assertTrue(stayed.getHeaders().get("Location") == null
                || !stayed.getHeaders().get("Location").startsWith(upstream.issuer()), stayed.getHeaders().toString());
    }

    private String upstreamSession() {
        return services.sessions().mint(TestServices.ISSUER, "upstream:idp",
                new NewSession("user-" + System.nanoTime(), null, UserClaims.NONE)).credential();
    }

    private APIGatewayProxyResponseEvent confirmLogout(String session, String decision) {
        APIGatewayProxyResponseEvent page = oauth.logout(session, Map.of("client_id", clientId,
                "post_logout_redirect_uri", LOGOUT_URI, "state", "rp-state"));
        assertEquals(200, page.getStatusCode(), page.getBody());
        return oauth.logoutForm(session, Map.of("ticket", OAuthEndpoints.ticketOf(page), "decision", decision));
    }

    private APIGatewayProxyResponseEvent signedOut(String state) {
        return signedOut.handleRequest(signedOutEvent(state), null);
    }

    private static APIGatewayProxyRequestEvent signedOutEvent(String state) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        headers.put("Accept", "text/html");
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withResource("/oauth2/upstream/{upstream}/signed-out").withPath("/oauth2/upstream/idp/signed-out")
                .withPathParameters(Map.of("upstream", "idp")).withHeaders(headers);
        if (state != null) {
            event.setQueryStringParameters(Map.of("state", state));
            event.setMultiValueQueryStringParameters(Map.of("state", List.of(state)));
        }
        return event;
    }

    private static Map<String, String> query(URI location) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(pair.substring(0, eq),
                    java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
        return parameters;
    }
}
