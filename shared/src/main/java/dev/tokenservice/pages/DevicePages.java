package dev.tokenservice.pages;

import static dev.tokenservice.pages.AuthorizationPages.clientCard;
import static dev.tokenservice.pages.AuthorizationPages.describe;
import static dev.tokenservice.pages.AuthorizationPages.escape;
import static dev.tokenservice.pages.AuthorizationPages.hasLogo;
import static dev.tokenservice.pages.AuthorizationPages.headers;
import static dev.tokenservice.pages.AuthorizationPages.nonce;
import static dev.tokenservice.pages.AuthorizationPages.page;
import static dev.tokenservice.pages.AuthorizationPages.text;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.oauth.device.DeviceAuthorizations;
import java.util.Map;

/**
 * The HTML of /oauth2/device, the device grant's verification page (RFC 8628 §3.3): the form for the code the
 * device shows, the confirmation (which application, what it asks, and the code again, so that the person checks it
 * is the one on their own screen: RFC 8628 §5.4, remote phishing), and the outcome. As on the consent page, every
 * value is escaped, nothing is loaded, the page cannot be framed and its forms post only here.
 */
public final class DevicePages {

    private DevicePages() {
    }

    /** The code entry form, the code brought by the link filled in; a problem with the last entry above it. */
    public static APIGatewayProxyResponseEvent codeEntry(int status, String prefilled, String userName, String problem) {
        String nonce = nonce();
        String body = "<h1>Connect a device</h1>"
                + (problem == null ? "" : "<p id=\"problem\">" + escape(problem) + "</p>")
                + "<p>Signed in as <strong>" + text(userName) + "</strong>. Enter the code your device shows.</p>"
                + "<form method=\"post\" action=\"\">"
                + "<input id=\"user-code\" name=\"user_code\" autocomplete=\"off\" autocapitalize=\"characters\""
                + " spellcheck=\"false\" maxlength=\"16\" placeholder=\"BCDF-GHJK\" value=\"" + escape(prefilled) + "\">"
                + "<div class=\"actions\"><button type=\"submit\" value=\"continue\">Continue</button></div></form>";
        return ApiResponse.html(status, page("Connect a device", body, nonce), headers(nonce, null, false));
    }

    /** Approve or deny what the application behind the code asks. */
    public static APIGatewayProxyResponseEvent confirmation(DeviceAuthorizations.Confirmation shown, String userName) {
        String nonce = nonce();
        StringBuilder scopes = new StringBuilder();
        for (String scope : shown.scopes()) {
            scopes.append("<li>").append(escape(describe(scope))).append(" <code>").append(escape(scope))
                    .append("</code></li>");
        }
        String body = clientCard(shown.client())
                + "<h1>Allow <strong id=\"client-name\">" + text(shown.client().getName())
                + "</strong> on your device to access your account?</h1>"
                + "<p>Signed in as <strong>" + text(userName) + "</strong>. Approve only if your device shows the code"
                + " <strong id=\"user-code\">" + escape(shown.userCode()) + "</strong> and you started this"
                + " sign-in yourself. The application asks to:</p>"
                + "<ul id=\"scopes\">" + scopes + "</ul>"
                + "<form method=\"post\" action=\"\">"
                + "<input type=\"hidden\" name=\"ticket\" value=\"" + escape(shown.ticket()) + "\">"
                + "<div class=\"actions\">"
                + "<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
                + "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>"
                + "</div></form>";
        return ApiResponse.html(200, page("Connect " + shown.client().getName(), body, nonce),
                headers(nonce, null, hasLogo(shown.client())));
    }

    /** The end: the device goes on (or is told no) at its next poll. */
    public static APIGatewayProxyResponseEvent answered(boolean approved) {
        String nonce = nonce();
        String body = "<h1 id=\"outcome\">" + (approved ? "Your device is connected" : "The device was not connected")
                + "</h1><p class=\"muted\">" + (approved ? "You can return to your device." : "You can close this page.")
                + "</p>";
        return ApiResponse.html(200, page(approved ? "Device connected" : "Device not connected", body, nonce),
                headers(nonce, null, false));
    }

    /** Too many codes typed: the person waits (RFC 8628 §5.1). */
    public static APIGatewayProxyResponseEvent tooManyEntries(String userName, Map<String, String> retryAfter) {
        APIGatewayProxyResponseEvent page = codeEntry(429, "", userName,
                "Too many codes were entered from your account. Wait a few minutes, then try again.");
        page.getHeaders().putAll(retryAfter);
        return page;
    }
}
