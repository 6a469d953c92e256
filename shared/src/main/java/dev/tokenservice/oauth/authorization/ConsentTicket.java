package dev.tokenservice.oauth.authorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.Json;
import dev.tokenservice.sessions.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The consent form's only input besides the decision: the validated authorization request, bound to the
 * signed-in user's session and an expiry, under a keyed hash. A page on another site cannot forge one (it cannot
 * read ours), so a cross-site POST cannot approve anything on the user's behalf, and nothing in the form can be
 * edited to widen the grant. Every field is a JSON value, so no character in state or nonce can move another.
 */
public final class ConsentTicket {

    private static final String PURPOSE = "consent-ticket|";
    static final long LIFETIME_SECONDS = 600;
    private static final String NOT_GENUINE = "the consent form is not genuine; start the sign-in again";

    public record Content(String clientId, String redirectUri, List<String> scopes, String state, String codeChallenge,
            String principal, long expiresAt, String nonce, List<String> resources, String dpopJkt) {
    }

    private ConsentTicket() {
    }

    public static String issue(SecretHasher hasher, AuthorizationRequest request, Session session, Instant now) {
        ObjectNode content = Json.object()
                .put("client_id", request.client().getClientId())
                .put("redirect_uri", request.redirectUri())
                .put("state", request.state())
                .put("code_challenge", request.codeChallenge())
                .put("nonce", request.nonce())
                .put("dpop_jkt", request.dpopJkt())
                .put("sub", session.subject())
                .put("sid", session.sessionId())
                .put("exp", now.getEpochSecond() + LIFETIME_SECONDS);
        request.scopes().forEach(content.putArray("scope")::add);
        request.resources().forEach(content.putArray("resource")::add);
        return SignedTicket.seal(hasher, PURPOSE, content);
    }

    /** The ticket's content when it is genuine, unexpired and shown in this session; otherwise an error page. */
    public static Content verify(SecretHasher hasher, String ticket, Session session, Instant now) {
        JsonNode content = SignedTicket.openInSession(hasher, PURPOSE, ticket, session, NOT_GENUINE,
                "the consent form was shown to another user");
        if (!content.path("exp").canConvertToLong() || now.getEpochSecond() > content.path("exp").asLong()) {
            throw AuthorizationProblem.shownToUser("the consent form has expired; start the sign-in again");
        }
        List<String> scopes = new ArrayList<>();
        content.path("scope").forEach(scope -> scopes.add(scope.asText()));
        List<String> resources = new ArrayList<>();
        content.path("resource").forEach(resource -> resources.add(resource.asText()));
        String clientId = SignedTicket.text(content, "client_id");
        String redirectUri = SignedTicket.text(content, "redirect_uri");
        if (clientId == null || redirectUri == null || scopes.isEmpty()) {
            throw AuthorizationProblem.shownToUser(NOT_GENUINE);
        }
        return new Content(clientId, redirectUri, List.copyOf(scopes), SignedTicket.text(content, "state"),
                SignedTicket.text(content, "code_challenge"), session.subject(), content.path("exp").asLong(),
                SignedTicket.text(content, "nonce"), List.copyOf(resources), SignedTicket.text(content, "dpop_jkt"));
    }
}
