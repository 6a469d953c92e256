package dev.tokenservice.oauth.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
import dev.tokenservice.oauth.authorization.SignedTicket;
import dev.tokenservice.sessions.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The device confirmation form's only input besides the decision: which device authorization the page showed and
 * what it asked, bound to the signed-in session and the device code's expiry, under a keyed hash of its own
 * purpose. As with the consent ticket, a page on another site cannot read or forge one, and every field is a JSON
 * value.
 */
final class DeviceTicket {

    private static final String PURPOSE = "device-ticket|";
    private static final String NOT_GENUINE = "the confirmation form is not genuine; enter the code again";

    record Content(String deviceKey, String clientId, List<String> scopes, String userCode) {
    }

    private DeviceTicket() {
    }

    static String issue(SecretHasher hasher, String deviceKey, String clientId, List<String> scopes, String userCode,
            Session session, long expiresAt) {
        ObjectNode content = dev.tokenservice.http.Json.object()
                .put("device", deviceKey)
                .put("client_id", clientId)
                .put("user_code", userCode)
                .put("sub", session.subject())
                .put("sid", session.sessionId())
                .put("exp", expiresAt);
        scopes.forEach(content.putArray("scope")::add);
        return SignedTicket.seal(hasher, PURPOSE, content);
    }

    /** The ticket's content when it is genuine, unexpired and shown in this session; otherwise an error page. */
    static Content verify(SecretHasher hasher, String ticket, Session session, Instant now) {
        JsonNode content = SignedTicket.openInSession(hasher, PURPOSE, ticket, session, NOT_GENUINE,
                "the confirmation form was shown to another user");
        if (!content.path("exp").canConvertToLong() || now.getEpochSecond() >= content.path("exp").asLong()) {
            throw AuthorizationProblem.shownToUser("the code has expired; start again on the device");
        }
        List<String> scopes = new ArrayList<>();
        content.path("scope").forEach(scope -> scopes.add(scope.asText()));
        String deviceKey = SignedTicket.text(content, "device");
        String clientId = SignedTicket.text(content, "client_id");
        if (deviceKey == null || clientId == null || scopes.isEmpty()) {
            throw AuthorizationProblem.shownToUser(NOT_GENUINE);
        }
        return new Content(deviceKey, clientId, List.copyOf(scopes), SignedTicket.text(content, "user_code"));
    }
}
