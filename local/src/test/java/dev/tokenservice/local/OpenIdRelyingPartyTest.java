package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
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
import com.nimbusds.oauth2.sdk.token.BearerTokenError;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.tokenservice.local.LocalServerProcess.AdminCredentials;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relying party built on Connect2id's OpenID Connect SDK (com.nimbusds:oauth2-oidc-sdk), knowing only the
 * issuer URL of a local runner started from the command line: discovery, code + PKCE + nonce, ID token and
 * at_hash validated by the SDK against the JWKS, userinfo, a refresh with a new ID token, RP-initiated logout.
 * The browser's part (the session cookie, the consent form) is played with java.net.http.
 */
class OpenIdRelyingPartyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient BROWSER = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Pattern TICKET = Pattern.compile("name=\"ticket\" value=\"([^\"]+)\"");
    private static final URI REDIRECT_URI = URI.create("https://rp.example.com/callback");
    private static final URI LOGOUT_URI = URI.create("https://rp.example.com/signed-out");

    @TempDir
    static Path data;
    private static LocalServerProcess server;
    private static AdminCredentials admin;

    @BeforeAll
    static void start() {
        server = LocalServerProcess.start(data);
        admin = server.bootstrapCredentials().orElseThrow(() -> new AssertionError(server.output()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aRelyingPartyThatKnowsOnlyTheIssuerSignsAUserInReadsUserInfoRefreshesAndSignsOut() throws Exception {
        // GIVEN a relying party registered for openid, and a user signed in to this service
        String adminToken = clientCredentialsToken();
        JsonNode registered = registerRelyingParty(adminToken);
        ClientID clientId = new ClientID(registered.path("client_id").asText());
        Secret secret = new Secret(registered.path("client_secret").asText());

        // WHEN it discovers the provider from the issuer URL alone
        Issuer issuer = new Issuer(server.baseUrl());
        OIDCProviderMetadata provider = OIDCProviderMetadata.resolve(issuer);
        assertEquals(issuer, provider.getIssuer());
        assertNotNull(provider.getUserInfoEndpointURI());
        assertNotNull(provider.getEndSessionEndpointURI());

        // AND sends the user to sign in with PKCE and a nonce
        CodeVerifier verifier = new CodeVerifier();
        Nonce nonce = new Nonce();
        State state = new State();
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope("openid", "files:read"), clientId, REDIRECT_URI)
                .endpointURI(provider.getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        var callback = AuthenticationResponseParser.parse(signIn(request.toURI())).toSuccessResponse();
        assertEquals(state, callback.getState());

        // THEN the code becomes tokens whose ID token the SDK validates (JWKS signature, iss, aud, exp, nonce)
        OIDCTokens tokens = exchange(provider, clientId, secret,
                new AuthorizationCodeGrant(callback.getAuthorizationCode(), REDIRECT_URI, verifier));
        IDTokenValidator validator = new IDTokenValidator(issuer, clientId, JWSAlgorithm.RS256,
                provider.getJWKSetURI().toURL());
        IDTokenClaimsSet claims = validator.validate(tokens.getIDToken(), nonce);
        AccessTokenValidator.validate(tokens.getAccessToken(), JWSAlgorithm.RS256, claims.getAccessTokenHash());
        assertNotNull(claims.getAuthenticationTime());
        assertNotNull(claims.getStringClaim("sid"));
        assertThrows(BadJOSEException.class, () -> validator.validate(tokens.getIDToken(), new Nonce()),
                "another nonce is refused");

        // AND userinfo names the same subject
        var userInfo = UserInfoResponse.parse(new UserInfoRequest(provider.getUserInfoEndpointURI(),
                tokens.getBearerAccessToken()).toHTTPRequest().send()).toSuccessResponse().getUserInfo();
        assertEquals(claims.getSubject(), userInfo.getSubject());
        assertEquals(clientId.getValue(), userInfo.getStringClaim("cid"));

        // WHEN it refreshes, a new ID token names the same sign-in, without a nonce
        OIDCTokens refreshed = exchange(provider, clientId, secret, new RefreshTokenGrant(tokens.getRefreshToken()));
        IDTokenClaimsSet renewed = validator.validate(refreshed.getIDToken(), null);
        assertEquals(claims.getSubject(), renewed.getSubject());
        assertEquals(claims.getStringClaim("sid"), renewed.getStringClaim("sid"));
        assertEquals(claims.getAuthenticationTime(), renewed.getAuthenticationTime());
        assertNull(renewed.getNonce());
        assertNotEquals(tokens.getRefreshToken(), refreshed.getRefreshToken());

        // WHEN it signs the user out, the browser goes back to the registered URI and the session is over
        State logoutState = new State();
        URI logout = new LogoutRequest(provider.getEndSessionEndpointURI(), refreshed.getIDToken(), LOGOUT_URI,
                logoutState).toURI();
        HttpResponse<String> loggedOut = BROWSER.send(HttpRequest.newBuilder(logout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, loggedOut.statusCode(), loggedOut.body());
        assertEquals(LOGOUT_URI + "?state=" + logoutState.getValue(), loggedOut.headers().firstValue("Location").orElse(null));
        var afterLogout = UserInfoResponse.parse(new UserInfoRequest(provider.getUserInfoEndpointURI(),
                refreshed.getBearerAccessToken()).toHTTPRequest().send());
        assertFalse(afterLogout.indicatesSuccess());
        assertEquals(BearerTokenError.INVALID_TOKEN.getCode(), afterLogout.toErrorResponse().getErrorObject().getCode());
        var refreshAfterLogout = OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
                new ClientSecretPost(clientId, secret), new RefreshTokenGrant(refreshed.getRefreshToken()))
                .toHTTPRequest().send());
        assertEquals("invalid_grant", refreshAfterLogout.toErrorResponse().getErrorObject().getCode());
    }

    private static OIDCTokens exchange(OIDCProviderMetadata provider, ClientID clientId, Secret secret,
            AuthorizationGrant grant) throws Exception {
        var response = OIDCTokenResponseParser.parse(new TokenRequest(provider.getTokenEndpointURI(),
                new ClientSecretPost(clientId, secret), grant).toHTTPRequest().send());
        assertTrue(response.indicatesSuccess(), () -> response.toErrorResponse().getErrorObject().toString());
        return ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens();
    }

    /**
     * The user's browser opens the request with no session, is handed to the runner's development sign-in page,
     * signs in there (the page sets the session cookie and follows the link back), approves the consent page if
     * shown, and stops at the redirect to the relying party.
     */
    private static URI signIn(URI authorization) throws Exception {
        HttpResponse<String> handOff = BROWSER.send(browser(authorization, null).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, handOff.statusCode(), handOff.body());
        URI signInPage = URI.create(handOff.headers().firstValue("Location").orElseThrow());
        assertTrue(signInPage.getPath().equals("/dev/sign-in"), signInPage.toString());
        String returnTo = java.net.URLDecoder.decode(signInPage.getRawQuery().replaceFirst("^return_to=([^&]*).*$", "$1"),
                StandardCharsets.UTF_8);
        HttpResponse<String> signedIn = BROWSER.send(HttpRequest.newBuilder(signInPage)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=ada&name=Ada+Lovelace&return_to="
                        + URLEncoder.encode(returnTo, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, signedIn.statusCode(), signedIn.body());
        String session = signedIn.headers().firstValue("Set-Cookie").orElseThrow()
                .replaceFirst("^asc_auth_key=([^;]*);.*$", "$1");
        URI back = URI.create(signedIn.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> response = BROWSER.send(browser(back, session).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            Matcher ticket = TICKET.matcher(response.body());
            assertTrue(ticket.find(), response.body());
            String form = "ticket=" + URLEncoder.encode(ticket.group(1).replace("&amp;", "&"), StandardCharsets.UTF_8)
                    + "&decision=approve";
            response = BROWSER.send(browser(authorization, session)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(302, response.statusCode(), response.body());
        return URI.create(response.headers().firstValue("Location").orElseThrow());
    }

    private static HttpRequest.Builder browser(URI uri, String session) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", "text/html");
        return session == null ? builder : builder.header("Cookie", "asc_auth_key=" + session);
    }

    private static String clientCredentialsToken() throws Exception {
        String basic = Base64.getEncoder().encodeToString((admin.clientId() + ":" + admin.clientSecret())
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = BROWSER.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("access_token").asText();
    }

    private static JsonNode registerRelyingParty(String adminToken) throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode()
                .put("name", "Connect2id relying party")
                .put("logo", "data:image/png;base64,iVBORw0KGgo=")
                .put("website_url", "https://rp.example.com")
                .put("terms_url", "https://rp.example.com/terms")
                .put("policy_url", "https://rp.example.com/privacy")
                .put("logout_redirect_uri", LOGOUT_URI.toString())
                .put("allow_pkce", false)
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("redirect_uris",
                        JSON.createArrayNode().add(REDIRECT_URI.toString()))
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("allowed_origins",
                        JSON.createArrayNode().add("https://rp.example.com"))
                .set("scopes", JSON.createArrayNode().add("openid").add("files:read")));
        HttpResponse<String> response = BROWSER.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/2.0/clients"))
                .header("Authorization", "Bearer " + adminToken)
                .header("x-api-key", server.apiKey().orElseThrow())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
