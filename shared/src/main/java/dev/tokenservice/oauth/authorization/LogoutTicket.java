package dev.tokenservice.oauth.authorization;

import dev.tokenservice.clients.SecretHasher;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The logout confirmation form's only input besides the decision, protected as the consent form's ticket is:
 * the validated logout request, bound to the signed-in user and an expiry under a keyed hash, so another site
 * can neither forge a sign-out for the user nor change where it leads.
 */
final class LogoutTicket {

    private static final String PURPOSE = "logout-ticket|";
    private static final long LIFETIME_SECONDS = 600;

    record Content(String clientId, String redirectUri, String state) {
    }

    private LogoutTicket() {
    }

    static String issue(SecretHasher hasher, Logout.Request request, String principal, Instant now) {
        List<String> fields = new ArrayList<>();
        fields.add(request.client() == null ? "" : request.client().getClientId());
        fields.add(request.redirectUri() == null ? "" : request.redirectUri());
        fields.add(request.state() == null ? "" : request.state());
        fields.add(principal);
        fields.add(Long.toString(now.getEpochSecond() + LIFETIME_SECONDS));
        // Every field encoded, so that no character in one can move another.
        String payload = String.join("&", fields.stream().map(f -> URLEncoder.encode(f, StandardCharsets.UTF_8)).toList());
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return encoded + "." + hasher.hash(PURPOSE + encoded);
    }

    static Content verify(SecretHasher hasher, String ticket, String principal, Instant now) {
        int dot = ticket == null ? -1 : ticket.indexOf('.');
        if (dot <= 0 || !hasher.matches(PURPOSE + ticket.substring(0, dot), ticket.substring(dot + 1))) {
            throw AuthorizationProblem.shownToUser("the sign-out form is not genuine; start again from the application");
        }
        String[] fields = new String(Base64.getUrlDecoder().decode(ticket.substring(0, dot)), StandardCharsets.UTF_8)
                .split("&", -1);
        for (int i = 0; i < fields.length; i++) {
            fields[i] = URLDecoder.decode(fields[i], StandardCharsets.UTF_8);
        }
        if (!fields[3].equals(principal)) {
            throw AuthorizationProblem.shownToUser("the sign-out form was shown to another user");
        }
        if (now.getEpochSecond() > Long.parseLong(fields[4])) {
            throw AuthorizationProblem.shownToUser("the sign-out form has expired; start again from the application");
        }
        return new Content(emptyToNull(fields[0]), emptyToNull(fields[1]), emptyToNull(fields[2]));
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
