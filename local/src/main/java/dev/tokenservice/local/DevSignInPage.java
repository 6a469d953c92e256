package dev.tokenservice.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tokenservice.auth.CallerAuthenticator;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.Json;
import dev.tokenservice.sessions.NewSession;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.wiring.Services;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local runner's login front end, for development only: anyone may sign in as anyone, by typing a user name
 * (and, optionally, a name and an e-mail address, served as the OpenID profile and email claims). It mints the
 * session through the same use case as POST /oauth2/sessions, sets it as the asc_auth_key cookie and follows the
 * sign-in hand-off's link back to the authorization request. A deployed stack has no such page: its LoginUrl is
 * a real login front end, or an upstream identity provider.
 */
final class DevSignInPage implements HttpHandler {

    static final String PATH = "/dev/sign-in";
    /** The client id the sessions it mints name as their front end. */
    static final String FRONT_END = "local-dev-sign-in";
    private static final int LONGEST_FORM = 16_384;

    private final Services services;
    private final String issuer;

    DevSignInPage(Services services, String issuer) {
        this.services = services;
        this.issuer = issuer;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if ("GET".equals(exchange.getRequestMethod())) {
                Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
                reply(exchange, 200, form(query.getOrDefault("return_to", ""), query.getOrDefault("login_hint", ""),
                        query.getOrDefault("prompt", ""), null), Map.of());
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, page("Method not allowed", "<p>Use GET or POST.</p>"), Map.of("Allow", "GET, POST"));
                return;
            }
            Map<String, String> form = parse(readForm(exchange.getRequestBody()));
            String returnTo = form.getOrDefault("return_to", "");
            var claims = Json.object();
            putIfGiven(claims, "name", form.get("name"));
            putIfGiven(claims, "email", form.get("email"));
            if (claims.has("email")) {
                claims.put("email_verified", false);
            }
            var body = Json.object().put("sub", form.getOrDefault("username", "").trim());
            body.set("amr", Json.MAPPER.createArrayNode().add("pwd"));
            body.set("claims", claims);
            NewSession request;
            try {
                request = NewSession.parse(JsonBody.parse(new ApiRequest(new APIGatewayProxyRequestEvent()
                        .withHeaders(Map.of("Content-Type", "application/json")).withBody(body.toString()))),
                        services.clock().instant());
            } catch (ApiError refused) {
                reply(exchange, 400, form(returnTo, form.getOrDefault("username", ""), "", refused.description()),
                        Map.of());
                return;
            }
            var minted = services.sessions().mint(issuer, FRONT_END, request);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Set-Cookie", CallerAuthenticator.DOCSPACE_COOKIE + "=" + minted.credential()
                    + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + minted.expiresIn());
            // Only the hand-off's own links back (to an authorization request, or to the device verification page)
            // are followed: anything else would make this page an open redirect.
            if (returnTo.startsWith(issuer + "/oauth2/authorize?resume=") || dev.tokenservice.oauth.authorization
                    .LoginHandOff.isReturnLink(services.secretHasher(), issuer, returnTo, services.clock().instant())) {
                headers.put("Location", returnTo);
                reply(exchange, 302, "", headers);
            } else {
                reply(exchange, 200, page("Signed in", "<p>Signed in as <strong>" + escape(minted.session().subject())
                        + "</strong> (development sign-in).</p>"), headers);
            }
        }
    }

    private static String form(String returnTo, String username, String prompt, String problem) {
        String body = "<p class=\"dev\">Development sign-in of the local runner: no password, anyone may sign in as "
                + "anyone. A deployed stack sends people to its own login front end instead.</p>"
                + (prompt.contains("login") ? "<p>The application asks you to sign in again.</p>" : "")
                + (problem == null ? "" : "<p id=\"problem\" role=\"alert\">" + escape(problem) + "</p>")
                + "<form method=\"post\" action=\"" + PATH + "\">"
                + "<input type=\"hidden\" name=\"return_to\" value=\"" + escape(returnTo) + "\">"
                + "<label>User name (sub) <input name=\"username\" required autofocus value=\"" + escape(username)
                + "\"></label>"
                + "<label>Name (optional) <input name=\"name\"></label>"
                + "<label>E-mail (optional) <input name=\"email\" type=\"email\"></label>"
                + "<button type=\"submit\">Sign in</button></form>";
        return page("Sign in (development)", body);
    }

    private static String page(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title><style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
                + "label{display:block;margin:.8rem 0}input{display:block;width:100%;padding:.4rem}"
                + ".dev{background:#fff3cd;padding:.6rem;border-radius:.3rem}#problem{color:#b00020}</style></head>"
                + "<body><h1>" + escape(title) + "</h1>" + body + "</body></html>";
    }

    private static void reply(HttpExchange exchange, int status, String html, Map<String, String> headers)
            throws IOException {
        headers.forEach(exchange.getResponseHeaders()::add);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.getResponseHeaders().add("X-Frame-Options", "DENY");
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        if (!html.isEmpty()) {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String readForm(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(LONGEST_FORM + 1);
        return bytes.length > LONGEST_FORM ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static Map<String, String> parse(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            values.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return values;
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return "";
        }
    }

    private static void putIfGiven(com.fasterxml.jackson.databind.node.ObjectNode claims, String name, String value) {
        if (value != null && !value.isBlank()) {
            claims.put(name, value.trim());
        }
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
