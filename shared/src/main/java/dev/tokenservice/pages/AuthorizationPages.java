package dev.tokenservice.pages;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ScopeCatalog;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.oauth.authorization.AuthorizationEndpoint;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
import dev.tokenservice.oauth.authorization.AuthorizationRequest;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTML of /oauth2/authorize: the consent page and the pages for problems that must not be redirected.
 * Every value from a request or a client registration is escaped; the pages load nothing, cannot be
 * framed (clickjacking of the Approve button), and their form may post only here and, after the redirect,
 * to the client's own origin.
 */
public final class AuthorizationPages {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}
            h1{font-size:1.3rem}ul{padding-left:1.2rem}li{margin:.3rem 0}code{font-size:.9em}
            .actions{display:flex;gap:.75rem;margin-top:1.5rem}
            button{font-size:1rem;padding:.55rem 1.3rem;border-radius:.4rem;border:1px solid #888;background:#fff;cursor:pointer}
            input[name=user_code]{font-size:1.4rem;letter-spacing:.15em;padding:.4rem .6rem;width:11rem;text-transform:uppercase}
            button[value=approve],button[value=logout],button[value=continue]{background:#0b57d0;border-color:#0b57d0;color:#fff}
            .muted{color:#666;font-size:.9rem}
            .client{display:flex;gap:1rem;align-items:center;margin-bottom:1rem}
            .client img{width:64px;height:64px;object-fit:contain;border-radius:.4rem}
            .links a{margin-right:1rem}""";
    /** A registered logo, re-checked here: only a base64 data URI of a raster or SVG image ever reaches src. */
    private static final java.util.regex.Pattern LOGO =
            java.util.regex.Pattern.compile("^data:image/(?:png|jpeg|jpg|svg\\+xml);base64,[A-Za-z0-9+/]+={0,2}$");

    private AuthorizationPages() {
    }

    public static APIGatewayProxyResponseEvent consent(AuthorizationRequest request, String ticket, String userName) {
        String nonce = nonce();
        var client = request.client();
        Map<String, String> headers = headers(nonce, origin(request.redirectUri()), hasLogo(client));
        StringBuilder scopes = new StringBuilder();
        for (String scope : request.scopes()) {
            scopes.append("<li>").append(escape(describe(scope))).append(" <code>").append(escape(scope))
                    .append("</code></li>");
        }
        String body = clientCard(client)
                + "<h1>Allow <strong id=\"client-name\">" + text(client.getName()) + "</strong> to access your account?</h1>"
                + "<p>Signed in as <strong>" + text(userName) + "</strong>. The application asks to:</p>"
                + "<ul id=\"scopes\">" + scopes + "</ul>"
                + "<form method=\"post\" action=\"\">"
                + "<input type=\"hidden\" name=\"ticket\" value=\"" + escape(ticket) + "\">"
                + "<div class=\"actions\">"
                + "<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
                + "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>"
                + "</div></form>"
                + "<p class=\"muted\">You will be sent back to " + escape(origin(request.redirectUri())) + ".</p>";
        return ApiResponse.html(200, page("Authorize " + client.getName(), body, nonce), headers);
    }

    /** A failed request: back to the client when its redirect URI is trustworthy, else a page for the user. */
    public static APIGatewayProxyResponseEvent of(AuthorizationProblem problem, String issuerUrl) {
        return problem.redirectable()
                ? ApiResponse.redirect(AuthorizationEndpoint.errorRedirect(problem, issuerUrl))
                : problem(400, problem.description());
    }

    /** A problem the user must see because the redirect URI cannot be trusted (or there is none). */
    public static APIGatewayProxyResponseEvent problem(int status, String description) {
        String nonce = nonce();
        String body = "<h1>This sign-in request cannot be completed</h1><p id=\"problem\">" + escape(description) + "</p>";
        return ApiResponse.html(status, page("Authorization error", body, nonce), headers(nonce, null, false));
    }

    /**
     * A sign-in through the identity provider that failed: what failed (and a fact such as the provider's error
     * code), never a token or a secret; the person starts again from the application.
     */
    public static APIGatewayProxyResponseEvent signInFailed(int status, String what, String detail) {
        String nonce = nonce();
        String body = "<h1>Signing in did not work</h1><p id=\"problem\">" + escape(capitalized(what)) + "."
                + (detail == null ? "" : " <span id=\"detail\">(" + escape(detail) + ")</span>")
                + "</p><p>You are not signed in. Start again from the application.</p>";
        return ApiResponse.html(status, page("Sign-in failed", body, nonce), headers(nonce, null, false));
    }

    /**
     * The sign-in needed page, for a form posted without a live session (the consent or sign-out form): it says
     * why the browser's cookie did not count when it held something (an access token, an ended session).
     */
    public static APIGatewayProxyResponseEvent signInRequired(String refusal) {
        String nonce = nonce();
        String body = "<h1>Sign in first</h1><p id=\"problem\">This page needs you to be signed in to this service"
                + " (a session in the <code>asc_auth_key</code> cookie, set when you sign in)."
                + (refusal == null ? "" : " " + text(capitalized(refusal)) + ".")
                + " Start again from the application.</p>";
        Map<String, String> headers = headers(nonce, null, false);
        headers.put("WWW-Authenticate", "Cookie");
        return ApiResponse.html(401, page("Sign in required", body, nonce), headers);
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** The RP-Initiated Logout confirmation: the user's own form, bound to them by the ticket. */
    public static APIGatewayProxyResponseEvent logoutConfirmation(ClientItem client, String ticket, String userName,
            String redirectUri) {
        String nonce = nonce();
        String body = (client == null ? "" : clientCard(client))
                + "<h1>Sign out" + (client == null ? "" : " of <strong id=\"client-name\">" + text(client.getName())
                        + "</strong>") + "?</h1>"
                + "<p>Signed in as <strong>" + text(userName) + "</strong>. "
                + (client == null ? "This ends every session you have here."
                        : "This ends your sessions with this application.") + "</p>"
                + "<form method=\"post\" action=\"\">"
                + "<input type=\"hidden\" name=\"ticket\" value=\"" + escape(ticket) + "\">"
                + "<div class=\"actions\">"
                + "<button type=\"submit\" name=\"decision\" value=\"logout\">Sign out</button>"
                + "<button type=\"submit\" name=\"decision\" value=\"stay\">Stay signed in</button>"
                + "</div></form>";
        return ApiResponse.html(200, page("Sign out", body, nonce),
                headers(nonce, redirectUri == null ? null : origin(redirectUri), client != null && hasLogo(client)));
    }

    /** The end of a logout that has nowhere registered to go back to (or a user who chose to stay). */
    public static APIGatewayProxyResponseEvent loggedOut(ClientItem client, boolean signedOut) {
        String nonce = nonce();
        String body = (client == null ? "" : clientCard(client))
                + "<h1 id=\"outcome\">" + (signedOut ? "You are signed out" : "You are still signed in") + "</h1>"
                + "<p class=\"muted\">You can close this page.</p>";
        return ApiResponse.html(200, page(signedOut ? "Signed out" : "Still signed in", body, nonce),
                headers(nonce, null, client != null && hasLogo(client)));
    }

    /**
     * The client as it registered, like DocSpace's consent screen: logo, name, website, terms and privacy links.
     * Names sit in bdi elements, so that a bidirectional override in one cannot reorder the rest of the page.
     */
    static String clientCard(ClientItem client) {
        StringBuilder card = new StringBuilder("<div class=\"client\">");
        if (hasLogo(client)) {
            card.append("<img id=\"client-logo\" alt=\"\" src=\"").append(escape(client.getLogo())).append("\">");
        }
        card.append("<div><div><strong>").append(text(client.getName())).append("</strong></div><div class=\"links muted\">");
        link(card, "client-website", client.getWebsiteUrl(), "Website");
        link(card, "client-terms", client.getTermsUrl(), "Terms of service");
        link(card, "client-privacy", client.getPolicyUrl(), "Privacy policy");
        return card.append("</div></div></div>").toString();
    }

    private static void link(StringBuilder html, String id, String url, String label) {
        if (url != null && (url.startsWith("https://") || url.startsWith("http://"))) {
            html.append("<a id=\"").append(id).append("\" href=\"").append(escape(url))
                    .append("\" rel=\"noopener noreferrer\" target=\"_blank\">").append(label).append("</a>");
        }
    }

    static boolean hasLogo(ClientItem client) {
        return client.getLogo() != null && LOGO.matcher(client.getLogo()).matches();
    }

    /**
     * Text from a registration or a token, escaped and in its own bidi isolate: right-to-left letters in a name
     * cannot reorder the sentence around it (what "Allow X to access" says stays what it means).
     */
    static String text(String value) {
        return "<bdi>" + escape(value) + "</bdi>";
    }

    /** Human wording of a catalogue scope: "View your files", "Manage your rooms". */
    static String describe(String scope) {
        return ScopeCatalog.find(scope).map(known -> switch (known.type()) {
            case "read" -> "View your " + known.group();
            case "write" -> "Manage your " + known.group();
            case "admin" -> "Administer " + known.group();
            case "openid" -> "Know who you are";
            default -> scope;
        }).orElse(scope);
    }


    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> {
                    // Control and bidi formatting characters (refused on input; older rows may hold them) are left
                    // out, so nothing stored can reorder or hide the text around it.
                    if (!FieldRules.isControl(c)) {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }

    static String page(String title, String body, String nonce) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<title>" + escape(title) + "</title><style nonce=\"" + nonce + "\">" + STYLE + "</style></head>"
                + "<body>" + body + "</body></html>";
    }

    static Map<String, String> headers(String nonce, String formTarget, boolean showsLogo) {
        Map<String, String> headers = new LinkedHashMap<>(ApiResponse.noStore());
        // img-src admits data: URIs only, the form a registered logo takes; nothing is ever fetched.
        headers.put("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + nonce + "'; "
                + (showsLogo ? "img-src data:; " : "")
                + "form-action 'self'" + (formTarget == null ? "" : " " + formTarget)
                + "; frame-ancestors 'none'; base-uri 'none'");
        headers.put("X-Frame-Options", "DENY");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        return headers;
    }

    /** The client's origin, or the scheme of an app's URI; the CSP source that admits the redirect after the form. */
    static String origin(String redirectUri) {
        URI uri = URI.create(redirectUri);
        if (uri.getHost() == null) {
            return uri.getScheme() + ":";
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    static String nonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
