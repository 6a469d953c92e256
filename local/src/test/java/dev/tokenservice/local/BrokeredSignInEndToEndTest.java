package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity brokering end to end, with no outside service: a second local runner is the upstream OpenID provider
 * (with its development sign-in page), the first brokers to it. A relying party of the first runner receives ID
 * tokens whose sub and profile claims come from the mapping of the upstream's. The browser is played with
 * java.net.http and one cookie jar per origin.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokeredSignInEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Pattern TICKET = Pattern.compile("name=\"ticket\" value=\"([^\"]+)\"");
    private static final URI RP_REDIRECT = URI.create("https://rp.example.com/callback");

    @TempDir
    static Path upstreamData;
    @TempDir
    static Path brokerData;
    private static LocalServerProcess upstream;
    private static LocalServerProcess broker;
    private static ClientID rpId;
    private static Secret rpSecret;

    @BeforeAll
    static void start() throws Exception {
        upstream = LocalServerProcess.start(upstreamData);
        int brokerPort = freePort();
        String callback = "http://127.0.0.1:" + brokerPort + "/oauth2/upstream/idp/callback";
        JsonNode brokerAtUpstream = register(upstream, "Broker", callback);
        broker = LocalServerProcess.start(brokerData, Map.of(
                "UPSTREAM_ISSUER_URL", upstream.baseUrl(),
                "UPSTREAM_CLIENT_ID", brokerAtUpstream.path("client_id").asText(),
                "UPSTREAM_CLIENT_SECRET", brokerAtUpstream.path("client_secret").asText()),
                "--port", Integer.toString(brokerPort));
        JsonNode rp = register(broker, "Relying party", RP_REDIRECT.toString());
        rpId = new ClientID(rp.path("client_id").asText());
        rpSecret = new Secret(rp.path("client_secret").asText());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    @Order(1)
    void aPersonSignsInAtTheUpstreamAndTheRelyingPartyGetsAnIdTokenWithTheMappedSubjectAndProfile() throws Exception {
        // GIVEN a relying party of the broker, and a browser with no session anywhere
        Browser browser = new Browser();
        OIDCProviderMetadata provider = OIDCProviderMetadata.resolve(new Issuer(broker.baseUrl()));
        CodeVerifier verifier = new CodeVerifier();
        Nonce nonce = new Nonce();
        State state = new State();
        URI authorization = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "profile", "email"),
                rpId, RP_REDIRECT).endpointURI(provider.getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256).build().toURI();

        // WHEN the broker hands the sign-in to its upstream start route
        HttpResponse<String> handOff = browser.get(authorization);
        assertEquals(302, handOff.statusCode(), handOff.body());
        URI start = location(handOff);
        assertEquals(broker.baseUrl() + "/oauth2/upstream/idp/start", start.toString().replaceFirst("\\?.*$", ""));

        // AND the start route sends the browser to the upstream with state, nonce and PKCE S256
        HttpResponse<String> toUpstream = browser.get(start);
        assertEquals(302, toUpstream.statusCode(), toUpstream.body());
        Map<String, String> upstreamRequest = query(location(toUpstream));
        assertEquals("S256", upstreamRequest.get("code_challenge_method"));
        assertNotNull(upstreamRequest.get("nonce"));
        assertEquals(broker.baseUrl() + "/oauth2/upstream/idp/callback", upstreamRequest.get("redirect_uri"));

        // AND the person signs in at the upstream's own sign-in page and approves the broker there
        URI callback = signInUpstream(browser, location(toUpstream), "ada", "Ada Lovelace", "ada@example.com");
        assertTrue(callback.toString().startsWith(broker.baseUrl() + "/oauth2/upstream/idp/callback?"), callback.toString());

        // AND another browser presents that callback first: refused, no session, and the attempt stays usable
        HttpResponse<String> otherBrowser = new Browser().get(callback);
        assertEquals(400, otherBrowser.statusCode());
        assertTrue(otherBrowser.body().contains("No sign-in was started in this browser"), otherBrowser.body());
        assertFalse(otherBrowser.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("asc_auth_key=")));

        // AND the browser that started it follows the callback
        String stateCookie = browser.cookie(broker.baseUrl(), "asc_upstream_state");
        HttpResponse<String> signedIn = browser.get(callback);
        assertEquals(302, signedIn.statusCode(), signedIn.body());
        assertTrue(location(signedIn).toString().startsWith(broker.baseUrl() + "/oauth2/authorize?resume="));
        assertNotNull(browser.cookie(broker.baseUrl(), "asc_auth_key"), "the broker's session is set");
        assertEquals(null, browser.cookie(broker.baseUrl(), "asc_upstream_state"), "the state cookie is cleared");
        URI back = approve(browser, location(signedIn), authorization);

        // THEN the relying party's ID token names the mapped subject and the upstream's profile claims
        var code = AuthenticationResponseParser.parse(back).toSuccessResponse();
        assertEquals(state, code.getState());
        var tokens = OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
                new ClientSecretPost(rpId, rpSecret), new AuthorizationCodeGrant(code.getAuthorizationCode(),
                RP_REDIRECT, verifier)).toHTTPRequest().send());
        assertTrue(tokens.indicatesSuccess(), () -> tokens.toErrorResponse().getErrorObject().toString());
        IDTokenClaimsSet claims = new IDTokenValidator(new Issuer(broker.baseUrl()), rpId, JWSAlgorithm.RS256,
                provider.getJWKSetURI().toURL()).validate(((OIDCTokenResponse) tokens.toSuccessResponse())
                .getOIDCTokens().getIDToken(), nonce);
        String expectedSubject = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest
                .getInstance("SHA-256").digest((upstream.baseUrl() + "\nada").getBytes(StandardCharsets.UTF_8)));
        assertEquals(expectedSubject, claims.getSubject().getValue(), "sub derives from the upstream's iss and sub");
        assertEquals("Ada Lovelace", claims.getStringClaim("name"));
        assertEquals("ada@example.com", claims.getStringClaim("email"));
        assertNotNull(claims.getAuthenticationTime());

        // AND the same callback again, with the same state cookie, is refused: a replay mints no session
        Browser replaying = new Browser();
        replaying.set(broker.baseUrl(), "asc_upstream_state", stateCookie);
        HttpResponse<String> replayed = replaying.get(callback);
        assertEquals(400, replayed.statusCode(), replayed.body());
        assertTrue(replayed.body().contains("already used"), replayed.body());
        assertEquals(null, replaying.cookie(broker.baseUrl(), "asc_auth_key"));
    }

    @Test
    @Order(2)
    void anUpstreamRefusalAndAnUpstreamStoppedMidFlowArePagesWithoutASession() throws Exception {
        // GIVEN a person who denies the broker at the upstream's consent page
        Browser denying = new Browser();
        URI atUpstream = location(denying.get(handOff(denying)));
        URI refused = signInUpstream(denying, atUpstream, "bob", "Bob", "bob@example.com", "deny");
        // WHEN the upstream's error comes back
        HttpResponse<String> refusal = denying.get(refused);
        // THEN a page names it, and there is no session
        assertEquals(400, refusal.statusCode(), refusal.body());
        assertTrue(refusal.body().contains("The identity provider refused the sign-in"), refusal.body());
        assertTrue(refusal.body().contains("access_denied"), refusal.body());
        assertEquals(null, denying.cookie(broker.baseUrl(), "asc_auth_key"));

        // GIVEN a person signed in at the upstream, whose code has not reached the broker yet
        Browser browser = new Browser();
        URI toUpstream = location(browser.get(handOff(browser)));
        URI callback = signInUpstream(browser, toUpstream, "carol", "Carol", "carol@example.com");
        // WHEN the upstream stops before the broker exchanges the code
        upstream.close();
        HttpResponse<String> stopped = browser.get(callback);
        // THEN the person sees a page saying the identity provider could not be reached, not a 5xx, and no session
        assertEquals(400, stopped.statusCode(), stopped.body());
        assertTrue(stopped.body().contains("could not be reached"), stopped.body());
        assertEquals(null, browser.cookie(broker.baseUrl(), "asc_auth_key"));
        assertFalse(stopped.body().contains("code="), "no code or token on the page");
    }

    /** An authorization request of the relying party at the broker; its hand-off location. */
    private static URI handOff(Browser browser) throws Exception {
        URI authorization = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"), rpId, RP_REDIRECT)
                .endpointURI(URI.create(broker.baseUrl() + "/oauth2/authorize")).state(new State()).nonce(new Nonce())
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build().toURI();
        HttpResponse<String> response = browser.get(authorization);
        assertEquals(302, response.statusCode(), response.body());
        return location(response);
    }

    private static URI signInUpstream(Browser browser, URI upstreamAuthorization, String user, String name,
            String email) throws Exception {
        return signInUpstream(browser, upstreamAuthorization, user, name, email, "approve");
    }

    /** At the upstream: its hand-off to its dev sign-in page, the sign-in, its consent page; where it sends the browser. */
    private static URI signInUpstream(Browser browser, URI upstreamAuthorization, String user, String name,
            String email, String decision) throws Exception {
        HttpResponse<String> handOff = browser.get(upstreamAuthorization);
        assertEquals(302, handOff.statusCode(), handOff.body());
        URI signInPage = location(handOff);
        assertEquals("/dev/sign-in", signInPage.getPath());
        String returnTo = query(signInPage).get("return_to");
        HttpResponse<String> signedIn = browser.post(URI.create(upstream.baseUrl() + "/dev/sign-in"),
                "username=" + user + "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&email="
                        + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&return_to="
                        + URLEncoder.encode(returnTo, StandardCharsets.UTF_8));
        assertEquals(302, signedIn.statusCode(), signedIn.body());
        HttpResponse<String> consent = browser.get(location(signedIn));
        assertEquals(200, consent.statusCode(), consent.body());
        return decide(browser, consent, upstreamAuthorization, decision);
    }

    /** The broker's consent page after the hand-off's link back; where the approval sends the browser. */
    private static URI approve(Browser browser, URI resume, URI authorization) throws Exception {
        HttpResponse<String> response = browser.get(resume);
        if (response.statusCode() == 302) {
            return location(response);
        }
        return decide(browser, response, authorization, "approve");
    }

    private static URI decide(Browser browser, HttpResponse<String> consentPage, URI authorization, String decision)
            throws Exception {
        Matcher ticket = TICKET.matcher(consentPage.body());
        assertTrue(ticket.find(), consentPage.body());
        URI endpoint = URI.create(authorization.getScheme() + "://" + authorization.getRawAuthority()
                + "/oauth2/authorize");
        HttpResponse<String> decided = browser.post(endpoint, "ticket=" + URLEncoder.encode(
                ticket.group(1).replace("&amp;", "&"), StandardCharsets.UTF_8) + "&decision=" + decision);
        assertEquals(302, decided.statusCode(), decided.body());
        return location(decided);
    }

    private static JsonNode register(LocalServerProcess server, String name, String redirectUri) throws Exception {
        var admin = server.bootstrapCredentials().orElseThrow(() -> new AssertionError(server.output()));
        String basic = Base64.getEncoder().encodeToString((admin.clientId() + ":" + admin.clientSecret())
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, token.statusCode(), token.body());
        ObjectNode body = JSON.createObjectNode().put("name", name)
                .put("logo", "data:image/png;base64,iVBORw0KGgo=")
                .put("website_url", "https://rp.example.com")
                .put("terms_url", "https://rp.example.com/terms")
                .put("policy_url", "https://rp.example.com/privacy")
                .put("logout_redirect_uri", "https://rp.example.com/signed-out")
                .put("allow_pkce", false);
        body.putArray("redirect_uris").add(redirectUri);
        body.putArray("allowed_origins").add("https://rp.example.com");
        body.putArray("scopes").add("openid");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/2.0/clients"))
                .header("Authorization", "Bearer " + JSON.readTree(token.body()).path("access_token").asText())
                .header("x-api-key", server.apiKey().orElseThrow())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static URI location(HttpResponse<String> response) {
        return URI.create(response.headers().firstValue("Location").orElseThrow(() ->
                new AssertionError("no Location: " + response.statusCode() + " " + response.body())));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A browser: one cookie jar per origin (the two runners share a host), no redirects followed by itself. */
    private static final class Browser {
        private final Map<String, Map<String, String>> jars = new LinkedHashMap<>();

        HttpResponse<String> get(URI uri) throws Exception {
            return send(request(uri).GET().build(), uri);
        }

        HttpResponse<String> post(URI uri, String form) throws Exception {
            return send(request(uri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), uri);
        }

        String cookie(String origin, String name) {
            return jars.getOrDefault(origin, Map.of()).get(name);
        }

        void set(String origin, String name, String value) {
            jars.computeIfAbsent(origin, o -> new LinkedHashMap<>()).put(name, value);
        }

        private HttpRequest.Builder request(URI uri) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Accept", "text/html");
            Map<String, String> jar = jars.getOrDefault(origin(uri), Map.of());
            if (!jar.isEmpty()) {
                StringBuilder header = new StringBuilder();
                jar.forEach((name, value) -> header.append(header.length() == 0 ? "" : "; ").append(name).append('=')
                        .append(value));
                builder.header("Cookie", header.toString());
            }
            return builder;
        }

        private HttpResponse<String> send(HttpRequest request, URI uri) throws Exception {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            List<String> setCookies = response.headers().allValues("Set-Cookie");
            for (String setCookie : setCookies) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                Map<String, String> jar = jars.computeIfAbsent(origin(uri), o -> new LinkedHashMap<>());
                if (value.isEmpty() || setCookie.contains("Max-Age=0")) {
                    jar.remove(name);
                } else {
                    jar.put(name, value);
                }
            }
            return response;
        }

        private static String origin(URI uri) {
            return uri.getScheme() + "://" + uri.getRawAuthority();
        }
    }
}
