package dev.tokenservice.oauth;

import dev.tokenservice.clients.SecretHasher;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The consent form's only input besides the decision: the validated authorization request, bound to the
 * signed-in user and an expiry, under a keyed hash. A page on another site cannot forge one (it cannot
 * read ours), so a cross-site POST cannot approve anything on the user's behalf, and nothing in the form
 * can be edited to widen the grant.
 */
public final class ConsentTicket {

    private static final String PURPOSE = "consent-ticket|";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    static final long LIFETIME_SECONDS = 600;

    public record Content(String clientId, String redirectUri, List<String> scopes, String state, String codeChallenge,
            String principal, long expiresAt, String nonce) {
    }

    private ConsentTicket() {
    }

    public static String issue(SecretHasher hasher, AuthorizationRequest request, String principal, Instant now) {
        String payload = String.join("\n",
                request.client().getClientId(), request.redirectUri(), String.join(" ", request.scopes()),
                nullToEmpty(request.state()), nullToEmpty(request.codeChallenge()), principal,
                Long.toString(now.getEpochSecond() + LIFETIME_SECONDS),
                // The nonce is the client's free text: encoded, so that no line break in it can shift a field.
                request.nonce() == null ? "" : URLEncoder.encode(request.nonce(), StandardCharsets.UTF_8));
        String encoded = ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return encoded + "." + hasher.hash(PURPOSE + encoded);
    }

    /** The ticket's content when it is genuine, unexpired and the principal's; otherwise an error page. */
    public static Content verify(SecretHasher hasher, String ticket, String principal, Instant now) {
        int dot = ticket == null ? -1 : ticket.indexOf('.');
        if (dot <= 0 || !hasher.matches(PURPOSE + ticket.substring(0, dot), ticket.substring(dot + 1))) {
            throw AuthorizationProblem.shownToUser("the consent form is not genuine; start the sign-in again");
        }
        String[] fields;
        try {
            fields = new String(DECODER.decode(ticket.substring(0, dot)), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException notBase64) {
            throw AuthorizationProblem.shownToUser("the consent form is not genuine; start the sign-in again");
        }
        Content content = new Content(fields[0], fields[1], OAuthScopes.split(fields[2]), emptyToNull(fields[3]),
                emptyToNull(fields[4]), fields[5], Long.parseLong(fields[6]),
                fields.length > 7 && !fields[7].isEmpty() ? URLDecoder.decode(fields[7], StandardCharsets.UTF_8) : null);
        if (!content.principal().equals(principal)) {
            throw AuthorizationProblem.shownToUser("the consent form was shown to another user");
        }
        if (now.getEpochSecond() > content.expiresAt()) {
            throw AuthorizationProblem.shownToUser("the consent form has expired; start the sign-in again");
        }
        return content;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
