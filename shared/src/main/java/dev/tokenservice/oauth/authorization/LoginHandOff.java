package dev.tokenservice.oauth.authorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sign-in hand-off (OpenID Connect Core §3.1.2.3): when a request needs a sign-in the browser's session
 * cannot give, the browser goes to the login front end with a signed, expiring link back to the request. The
 * link carries the request's parameters (whether it came by GET or POST) and when it began, so that prompt=login
 * and max_age are judged against a sign-in made after that moment, and a request is handed off only once.
 */
public final class LoginHandOff {

    private static final String PURPOSE = "login-hand-off|";
    /** Long enough for a person to sign in, with a second factor; short enough that a stale link dies. */
    static final long LIFETIME_SECONDS = 900;
    /** What the front end may use to serve the person (Core §3.1.2.1), passed on as the client sent them. */
    private static final List<String> HINTS = List.of("prompt", "max_age", "login_hint", "ui_locales", "acr_values",
            "client_id");
    private static final int LONGEST_HINT = 512;
    /** The device grant's verification page (RFC 8628 §3.3), which a sign-in may return to as well. */
    public static final String DEVICE_PAGE = "/oauth2/device";
    /** That page, with the user code the device showed (canonical form) or without. */
    private static final java.util.regex.Pattern DEVICE_PAGE_LINK =
            java.util.regex.Pattern.compile("(\\?user_code=[A-Z]{4}-[A-Z]{4})?");

    /** A request brought back from the front end: its parameters and when it began (epoch seconds). */
    public record Resumed(Map<String, List<String>> parameters, long startedAt) {
    }

    private LoginHandOff() {
    }

    /** The link back to the request, valid for LIFETIME_SECONDS. */
    static String returnLink(SecretHasher hasher, String issuerUrl, Map<String, List<String>> parameters,
            long startedAt, Instant now) {
        ObjectNode content = Json.object().put("started_at", startedAt).put("exp", now.getEpochSecond() + LIFETIME_SECONDS);
        ObjectNode request = content.putObject("request");
        parameters.forEach((name, values) -> values.forEach(request.withArray(name)::add));
        return AuthorizationEndpoint.withQuery(issuerUrl + "/oauth2/authorize",
                Map.of("resume", SignedTicket.seal(hasher, PURPOSE, content)));
    }

    /** Where the browser goes to sign in: the front end, told where to come back and what the client asked. */
    static String frontEndLocation(String loginUrl, String returnLink, Map<String, List<String>> parameters) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("return_to", returnLink);
        for (String hint : HINTS) {
            List<String> values = parameters.get(hint);
            if (values != null && values.size() == 1 && !values.get(0).isEmpty()
                    && values.get(0).length() <= LONGEST_HINT) {
                query.put(hint, values.get(0));
            }
        }
        return AuthorizationEndpoint.withQuery(loginUrl, query);
    }

    /**
     * Where a browser without a session goes from the device verification page: the login front end, told to come
     * back to that page (with the code the person brought, when it is well formed); empty when no front end is set.
     */
    public static Optional<String> signInForDevicePage(Optional<String> loginUrl, String issuerUrl,
            Optional<String> canonicalUserCode) {
        String back = issuerUrl + DEVICE_PAGE + canonicalUserCode.map(code -> "?user_code=" + code).orElse("");
        return loginUrl.map(url -> frontEndLocation(url.startsWith("/") ? issuerUrl + url : url, back, Map.of()));
    }

    /**
     * Whether a link is a genuine, unexpired return link of this service's hand-off: the one place a sign-in
     * made elsewhere (an upstream identity provider) may send the browser on to, so that it is no open redirect.
     */
    public static boolean isReturnLink(SecretHasher hasher, String issuerUrl, String link, Instant now) {
        String prefix = issuerUrl + "/oauth2/authorize?resume=";
        if (link != null && link.startsWith(issuerUrl + DEVICE_PAGE)
                && DEVICE_PAGE_LINK.matcher(link.substring((issuerUrl + DEVICE_PAGE).length())).matches()) {
            return true;
        }
        if (link == null || !link.startsWith(prefix)) {
            return false;
        }
        String ticket = java.net.URLDecoder.decode(link.substring(prefix.length()), java.nio.charset.StandardCharsets.UTF_8);
        return ticket.indexOf('&') < 0 && SignedTicket.open(hasher, PURPOSE, ticket)
                .filter(content -> content.path("exp").canConvertToLong()
                        && now.getEpochSecond() <= content.path("exp").asLong())
                .isPresent();
    }

    /** The request behind a return link; an error page when the link is not ours or has expired. */
    static Resumed resume(SecretHasher hasher, String ticket, Instant now) {
        JsonNode content = SignedTicket.open(hasher, PURPOSE, ticket).orElseThrow(() ->
                AuthorizationProblem.shownToUser("the sign-in link is not genuine; start again from the application"));
        if (!content.path("exp").canConvertToLong() || now.getEpochSecond() > content.path("exp").asLong()) {
            throw AuthorizationProblem.shownToUser("the sign-in link has expired; start again from the application");
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        content.path("request").fields().forEachRemaining(field -> {
            List<String> values = new ArrayList<>();
            field.getValue().forEach(value -> values.add(value.asText()));
            parameters.put(field.getKey(), values);
        });
        return new Resumed(parameters, content.path("started_at").asLong());
    }
}
