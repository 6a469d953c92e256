package dev.tokenservice.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.clients.ScopeCatalog;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.FieldRules;
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
            button[value=approve]{background:#0b57d0;border-color:#0b57d0;color:#fff}
            .muted{color:#666;font-size:.9rem}""";

    private AuthorizationPages() {
    }

    public static APIGatewayProxyResponseEvent consent(AuthorizationRequest request, String ticket, String userName) {
        String nonce = nonce();
        var client = request.client();
        StringBuilder scopes = new StringBuilder();
        for (String scope : request.scopes()) {
            scopes.append("<li>").append(escape(describe(scope))).append(" <code>").append(escape(scope))
                    .append("</code></li>");
        }
        String website = client.getWebsiteUrl() == null ? ""
                : "<p class=\"muted\">" + escape(client.getWebsiteUrl()) + "</p>";
        String body = "<h1>Allow <strong id=\"client-name\">" + isolated(client.getName()) + "</strong> to access your account?</h1>"
                + website
                + "<p>Signed in as <strong>" + isolated(userName) + "</strong>. The application asks to:</p>"
                + "<ul id=\"scopes\">" + scopes + "</ul>"
                + "<form method=\"post\" action=\"\">"
                + "<input type=\"hidden\" name=\"ticket\" value=\"" + escape(ticket) + "\">"
                + "<div class=\"actions\">"
                + "<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
                + "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>"
                + "</div></form>"
                + "<p class=\"muted\">You will be sent back to " + escape(origin(request.redirectUri())) + ".</p>";
        return ApiResponse.html(200, page("Authorize " + client.getName(), body, nonce),
                headers(nonce, origin(request.redirectUri())));
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
        return ApiResponse.html(status, page("Authorization error", body, nonce), headers(nonce, null));
    }

    public static APIGatewayProxyResponseEvent signInRequired() {
        String nonce = nonce();
        String body = "<h1>Sign in first</h1><p id=\"problem\">This page needs you to be signed in to this service: "
                + "your browser sends your access token in the <code>asc_auth_key</code> cookie (or an "
                + "<code>Authorization: Bearer</code> header). Sign in, then open the link again.</p>";
        Map<String, String> headers = headers(nonce, null);
        headers.put("WWW-Authenticate", "Bearer");
        return ApiResponse.html(401, page("Sign in required", body, nonce), headers);
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

    /**
     * Text of the client or the user in its own bidi isolate: right-to-left letters in a name cannot reorder the
     * sentence around it (what "Allow X to access" says stays what it means).
     */
    static String isolated(String text) {
        return "<bdi>" + escape(text) + "</bdi>";
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

    private static String page(String title, String body, String nonce) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<title>" + escape(title) + "</title><style nonce=\"" + nonce + "\">" + STYLE + "</style></head>"
                + "<body>" + body + "</body></html>";
    }

    private static Map<String, String> headers(String nonce, String formTarget) {
        Map<String, String> headers = new LinkedHashMap<>(ApiResponse.noStore());
        headers.put("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + nonce + "'; "
                + "form-action 'self'" + (formTarget == null ? "" : " " + formTarget)
                + "; frame-ancestors 'none'; base-uri 'none'");
        headers.put("X-Frame-Options", "DENY");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        return headers;
    }

    /** The client's origin, or the scheme of an app's URI; the CSP source that admits the redirect after the form. */
    private static String origin(String redirectUri) {
        URI uri = URI.create(redirectUri);
        if (uri.getHost() == null) {
            return uri.getScheme() + ":";
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static String nonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
