package dev.tokenservice.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientItem;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the sign-in, sign-out and error pages show and which headers protect them, page by page. */
class AuthorizationPagesTest {

    private static final String LOGO = "data:image/png;base64,iVBORw0KGgo=";
    private static final Pattern STYLE_NONCE = Pattern.compile("<style nonce=\"([^\"]*)\">");

    @Test
    void theSignedOutPageSaysSoAndShowsTheClientWhenThereIsOne() {
        APIGatewayProxyResponseEvent signedOut = AuthorizationPages.loggedOut(client(LOGO), true);
        APIGatewayProxyResponseEvent stayed = AuthorizationPages.loggedOut(null, false);

        assertTrue(signedOut.getBody().contains("<h1 id=\"outcome\">You are signed out</h1>"));
        assertTrue(signedOut.getBody().contains("<title>Signed out</title>"));
        assertTrue(signedOut.getBody().contains("<bdi>Photo Printer</bdi>"));
        assertTrue(csp(signedOut).contains("img-src data:;"), "the logo may show");
        assertTrue(stayed.getBody().contains("<h1 id=\"outcome\">You are still signed in</h1>"));
        assertTrue(stayed.getBody().contains("<title>Still signed in</title>"));
        assertFalse(stayed.getBody().contains("class=\"client\""), "no client card without a client");
        assertFalse(csp(stayed).contains("img-src"), "no image source admitted without a logo to show");
    }

    @Test
    void theSignOutConfirmationNamesWhatItEndsAndAdmitsOnlyTheRegisteredReturn() {
        APIGatewayProxyResponseEvent atClient = AuthorizationPages.logoutConfirmation(client(LOGO), "t-1", "Ada",
                "https://app.example.com:8443/bye");
        APIGatewayProxyResponseEvent everywhere = AuthorizationPages.logoutConfirmation(null, "t-2", "Ada", null);

        assertTrue(atClient.getBody().contains("<h1>Sign out of <strong id=\"client-name\"><bdi>Photo Printer</bdi>"
                + "</strong>?</h1>"), atClient.getBody());
        assertTrue(atClient.getBody().contains("This ends your sessions with this application."));
        assertTrue(atClient.getBody().contains("name=\"ticket\" value=\"t-1\""));
        assertTrue(csp(atClient).contains("form-action 'self' https://app.example.com:8443;"), csp(atClient));
        assertTrue(csp(atClient).contains("img-src data:;"));
        assertTrue(everywhere.getBody().contains("<h1>Sign out?</h1>"), everywhere.getBody());
        assertTrue(everywhere.getBody().contains("This ends every session you have here."));
        assertTrue(csp(everywhere).contains("form-action 'self';"), csp(everywhere));
        assertFalse(csp(everywhere).contains("img-src"));
    }

    @Test
    void theSignInPageSaysWhyTheCookieDidNotCountWhenItHeldSomething() {
        APIGatewayProxyResponseEvent anonymous = AuthorizationPages.signInRequired(null);
        APIGatewayProxyResponseEvent refused = AuthorizationPages.signInRequired(
                "the asc_auth_key cookie holds a token that is not a session <script>");

        assertEquals(401, anonymous.getStatusCode());
        assertTrue(anonymous.getBody().contains("asc_auth_key"));
        assertFalse(anonymous.getBody().contains("not a session"));
        assertTrue(refused.getBody().contains("The asc_auth_key cookie holds a token that is not a session &lt;script&gt;"),
                refused.getBody());
    }

    @Test
    void onlyADataUriImageIsShownAsLogoAndOnlyWebLinksAreLinked() {
        ClientItem client = client("https://tracker.example.com/logo.png");
        client.setWebsiteUrl("javascript:alert(1)");
        client.setTermsUrl("http://app.example.com/terms");
        client.setPolicyUrl(null);

        String card = AuthorizationPages.clientCard(client);

        assertFalse(card.contains("<img"), "a remote logo would be fetched: not shown");
        assertFalse(card.contains("client-website"), "a script URL is not a link");
        assertTrue(card.contains("<a id=\"client-terms\" href=\"http://app.example.com/terms\""));
        assertFalse(card.contains("client-privacy"));
        assertTrue(AuthorizationPages.clientCard(client(LOGO)).contains("<img id=\"client-logo\" alt=\"\" src=\"" + LOGO));
    }

    @Test
    void everyPageHasItsOwnStyleNonceAndTheCspNamesIt() {
        APIGatewayProxyResponseEvent first = AuthorizationPages.problem(400, "no <client>");
        APIGatewayProxyResponseEvent second = AuthorizationPages.problem(400, "no <client>");

        String nonce = styleNonce(first);
        assertEquals(24, nonce.length(), "16 random bytes, base64");
        assertTrue(csp(first).contains("style-src 'nonce-" + nonce + "'"), csp(first));
        assertNotEquals(nonce, styleNonce(second));
        assertNotEquals("AAAAAAAAAAAAAAAAAAAAAA==", nonce);
        assertTrue(first.getBody().contains("no &lt;client&gt;"));
    }

    @Test
    void theFormTargetIsTheRedirectUrisOriginOrAnAppsScheme() {
        assertEquals("https://app.example.com", AuthorizationPages.origin("https://app.example.com/callback?x=1"));
        assertEquals("https://app.example.com:8443", AuthorizationPages.origin("https://app.example.com:8443/cb"));
        assertEquals("http://127.0.0.1:0", AuthorizationPages.origin("http://127.0.0.1:0/cb"));
        assertEquals("com.example.app:", AuthorizationPages.origin("com.example.app:/oauth2redirect"));
    }

    private static ClientItem client(String logo) {
        ClientItem client = new ClientItem();
        client.setClientId("c-1");
        client.setName("Photo Printer");
        client.setLogo(logo);
        client.setRedirectUris(List.of("https://app.example.com/cb"));
        return client;
    }

    private static String csp(APIGatewayProxyResponseEvent page) {
        return page.getHeaders().get("Content-Security-Policy");
    }

    private static String styleNonce(APIGatewayProxyResponseEvent page) {
        Matcher matcher = STYLE_NONCE.matcher(page.getBody());
        assertTrue(matcher.find(), page.getBody());
        return matcher.group(1);
    }
}
