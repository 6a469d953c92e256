package dev.tokenservice.oauth.authorization;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.openid.IdTokens;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * GET and POST /oauth2/logout (OpenID Connect RP-Initiated Logout 1.0). A valid id_token_hint names the
 * session to end: one revocation record stops every access and refresh token of its sid at once. Without
 * one, the signed-in user is asked to confirm. The user goes back only to a URI the client registered as a
 * logout_redirect_uri, matched exactly; anything else gets an error page, never a redirect.
 */
public final class Logout {

    /** A validated logout request: the client (if named), its registered redirect URI (if asked), state, hint. */
    public record Request(ClientItem client, String redirectUri, String state, JWTClaimsSet hint) {
    }

    public sealed interface Outcome permits Redirect, Confirmation, Finished {
    }

    /** 302 to the client's registered logout URI, with state. */
    public record Redirect(String location) implements Outcome {
    }

    /** The confirmation page; the ticket is all its form sends back besides the decision. */
    public record Confirmation(Request request, String ticket) implements Outcome {
    }

    /** The last page, when there is no URI to go back to: signed out, or still signed in. */
    public record Finished(ClientItem client, boolean signedOut) implements Outcome {
    }

    private static final Set<String> DECISIONS = Set.of("logout", "stay");
    private static final String DECISION_REFUSED = "the decision must be logout or stay";

    private final ClientRepository clients;
    private final TokenRepository tokens;
    private final IdTokens idTokens;
    private final SecretHasher hasher;
    private final Clock clock;
    private final Duration longestTokenLifetime;

    public Logout(ClientRepository clients, TokenRepository tokens, IdTokens idTokens, SecretHasher hasher,
            Clock clock, Duration longestTokenLifetime) {
        this.clients = clients;
        this.tokens = tokens;
        this.idTokens = idTokens;
        this.hasher = hasher;
        this.clock = clock;
        this.longestTokenLifetime = longestTokenLifetime;
    }

    /** Checks the parameters; a problem is shown to the user, since no redirect target is trusted yet. */
    public Request validate(Map<String, List<String>> parameters, String issuerUrl) {
        // A decision belongs to the confirmation page's form; sent without its ticket it changes nothing, but one
        // that is neither button (openapi.yaml's enum) is refused here as it is beside a ticket
        List<String> decision = parameters.get("decision");
        if (decision != null && (decision.size() != 1 || !DECISIONS.contains(decision.get(0)))) {
            throw AuthorizationProblem.shownToUser(DECISION_REFUSED);
        }
        Optional<String> presentedHint = single(parameters, "id_token_hint");
        Optional<JWTClaimsSet> hint = presentedHint.flatMap(t -> idTokens.verifyHint(t, issuerUrl));
        if (presentedHint.isPresent() && hint.isEmpty()) {
            // Saying "signed out" here would be untrue: nothing was ended.
            throw AuthorizationProblem.shownToUser("the id_token_hint is not an ID token of this service, or has long "
                    + "expired; nothing was signed out");
        }
        Optional<String> state = single(parameters, "state");
        if (state.isPresent() && !AuthorizationRequest.isAcceptableState(state.get())) {
            throw AuthorizationProblem.shownToUser("state must be at most " + AuthorizationRequest.LONGEST_STATE
                    + " printable ASCII characters");
        }
        Optional<String> clientId = single(parameters, "client_id");
        if (hint.isPresent() && clientId.isPresent() && !hint.get().getAudience().contains(clientId.get())) {
            throw AuthorizationProblem.shownToUser("the id_token_hint was issued to another client than client_id");
        }
        Optional<String> named = clientId.or(() -> hint.map(claims -> claims.getAudience().get(0)));
        ClientItem client = named.map(id -> clients.find(id).orElseThrow(() ->
                AuthorizationProblem.shownToUser("the client " + id + " is not registered"))).orElse(null);
        String redirectUri = single(parameters, "post_logout_redirect_uri").orElse(null);
        if (redirectUri != null) {
            if (client == null) {
                throw AuthorizationProblem.shownToUser(
                        "post_logout_redirect_uri needs client_id or an id_token_hint naming the client");
            }
            List<String> registered = client.getLogoutRedirectUris() == null ? List.of() : client.getLogoutRedirectUris();
            if (!registered.contains(redirectUri)) {
                throw AuthorizationProblem.shownToUser(
                        "post_logout_redirect_uri does not match any logout URI registered for the client");
            }
        }
        return new Request(client, redirectUri, state.orElse(null), hint.orElse(null));
    }

    /** With a valid hint the session ends now; otherwise a signed-in user confirms, and nobody has nothing to end. */
    public Outcome start(Request request, Optional<Session> user) {
        if (request.hint() != null) {
            JWTClaimsSet hint = request.hint();
            Object sid = hint.getClaim("sid");
            if (sid instanceof String session) {
                tokens.revokeSession(session, keepUntil());
            } else {
                revokeAtClient(hint.getAudience().get(0), hint.getSubject());
            }
            return finish(request.client(), request.redirectUri(), request.state(), true);
        }
        if (user.isPresent()) {
            return new Confirmation(request, LogoutTicket.issue(hasher, request, user.get().subject(), clock.instant()));
        }
        return finish(request.client(), request.redirectUri(), request.state(), true);
    }

    /**
     * The user's answer on the confirmation page. Signing out ends every session the user has at the client
     * (one record), or, when no client was named, every session the user has here.
     */
    public Outcome decide(String ticket, String decision, Session user) {
        LogoutTicket.Content confirmed = LogoutTicket.verify(hasher, ticket, user.subject(), clock.instant());
        ClientItem client = confirmed.clientId() == null ? null : clients.find(confirmed.clientId())
                .orElseThrow(() -> AuthorizationProblem.shownToUser("the client is no longer registered"));
        String redirectUri = confirmed.redirectUri();
        if (redirectUri != null && (client == null || client.getLogoutRedirectUris() == null
                || !client.getLogoutRedirectUris().contains(redirectUri))) {
            throw AuthorizationProblem.shownToUser("the client is no longer registered for this logout URI");
        }
        if ("stay".equals(decision)) {
            return new Finished(client, false);
        }
        if (!"logout".equals(decision)) {
            throw AuthorizationProblem.shownToUser(DECISION_REFUSED);
        }
        // The browser's session ends with every code and token issued in it (they carry its sid), and so do the
        // user's tokens at the client (or everywhere) from other sessions.
        tokens.revokeSession(user.sessionId(), keepUntil());
        if (client != null) {
            revokeAtClient(client.getClientId(), user.subject());
        } else {
            tokens.revokeGrantsUpToNow(TokenKeys.subjectRevocation(user.subject()), clock, longestTokenLifetime);
        }
        return finish(client, redirectUri, confirmed.state(), true);
    }

    private void revokeAtClient(String clientId, String subject) {
        tokens.revokeGrantsUpToNow(TokenKeys.subjectAtClientRevocation(clientId, subject), clock,
                longestTokenLifetime);
    }

    private long keepUntil() {
        return Instant.ofEpochSecond(clock.instant().getEpochSecond()).plus(longestTokenLifetime).getEpochSecond();
    }

    private static Outcome finish(ClientItem client, String redirectUri, String state, boolean signedOut) {
        if (redirectUri == null) {
            return new Finished(client, signedOut);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("state", state);
        return new Redirect(AuthorizationEndpoint.withQuery(redirectUri, parameters));
    }

    private static Optional<String> single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw AuthorizationProblem.shownToUser("the parameter " + name + " is repeated");
        }
        return values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
