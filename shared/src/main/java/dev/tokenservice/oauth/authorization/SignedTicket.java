package dev.tokenservice.oauth.authorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A form's or a link's state that only this service can have written: a JSON object (so that no character in one
 * field can move another), base64url-encoded, under a keyed hash that names its purpose (so that a ticket of one
 * kind is never read as another).
 */
public final class SignedTicket {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private SignedTicket() {
    }

    public static String seal(SecretHasher hasher, String purpose, ObjectNode content) {
        String encoded = ENCODER.encodeToString(content.toString().getBytes(StandardCharsets.UTF_8));
        return encoded + "." + hasher.hash(purpose + encoded);
    }

    /** The content of a genuine ticket of this purpose; empty for anything else. */
    public static Optional<JsonNode> open(SecretHasher hasher, String purpose, String ticket) {
        int dot = ticket == null ? -1 : ticket.indexOf('.');
        if (dot <= 0 || !hasher.matches(purpose + ticket.substring(0, dot), ticket.substring(dot + 1))) {
            return Optional.empty();
        }
        try {
            JsonNode content = Json.MAPPER.readTree(DECODER.decode(ticket.substring(0, dot)));
            return content != null && content.isObject() ? Optional.of(content) : Optional.empty();
        } catch (IOException | IllegalArgumentException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The content of a genuine ticket of this purpose that was issued in this browser session (its sub and sid);
     * an error page otherwise: a form shown to one person cannot be answered from another's session.
     */
    public static JsonNode openInSession(SecretHasher hasher, String purpose, String ticket,
            dev.tokenservice.sessions.Session session, String notGenuine, String shownToAnother) {
        JsonNode content = open(hasher, purpose, ticket).orElseThrow(() -> AuthorizationProblem.shownToUser(notGenuine));
        if (!session.subject().equals(text(content, "sub")) || !session.sessionId().equals(text(content, "sid"))) {
            throw AuthorizationProblem.shownToUser(shownToAnother);
        }
        return content;
    }

    /** A text field of an opened ticket, null when absent. */
    public static String text(JsonNode content, String field) {
        JsonNode value = content.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
