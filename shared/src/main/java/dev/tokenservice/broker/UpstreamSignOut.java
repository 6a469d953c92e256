package dev.tokenservice.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.broker.SignInFailure.Reason;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.Log;
import dev.tokenservice.oauth.authorization.AuthorizationEndpoint;
import dev.tokenservice.oauth.authorization.SignedTicket;
import dev.tokenservice.sessions.Session;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RP-initiated logout that reaches the upstream (OpenID Connect RP-Initiated Logout 1.0, this service as the upstream's
 * relying party): once this service has ended a browser session an upstream signed in, the browser visits the
 * upstream's end_session_endpoint (when its discovery document names one), and comes back to this service's
 * signed-out route, which sends it on to where this service's own logout was going. Where it goes on to travels in a
 * signed state that this service wrote, so the signed-out route redirects only to a location its own logout chose.
 */
public final class UpstreamSignOut {

    private static final String PURPOSE = "upstream-sign-out|";
    /** Long enough to confirm a sign-out at the upstream; the state is of no use after that. */
    public static final long STATE_LIFETIME_SECONDS = 600;

    private final Map<String, UpstreamProvider> upstreams;
    private final SecretHasher hasher;
    private final Clock clock;

    public UpstreamSignOut(Map<String, UpstreamProvider> upstreams, SecretHasher hasher, Clock clock) {
        this.upstreams = Map.copyOf(upstreams);
        this.hasher = hasher;
        this.clock = clock;
    }

    /**
     * Where the browser goes next after this service ended the session: the upstream's end_session_endpoint, when
     * the session was signed in by an upstream that names one; empty otherwise, and when the upstream cannot be
     * asked (its sign-out is a courtesy: this service's own sign-out has already happened).
     *
     * @param then where this service's logout goes afterwards (the client's registered URI with its state), or
     *             null for this service's signed-out page
     */
    public Optional<String> via(Session ended, String then, String issuerUrl) {
        String frontEnd = ended.frontEnd();
        String prefix = BrokeredSignIn.frontEnd("");
        if (frontEnd == null || !frontEnd.startsWith(prefix)) {
            return Optional.empty();
        }
        String upstreamId = frontEnd.substring(prefix.length());
        UpstreamProvider provider = upstreams.get(upstreamId);
        if (provider == null) {
            return Optional.empty();
        }
        Optional<String> endSession;
        try {
            endSession = provider.endpoints().endSession();
        } catch (SignInFailure unreachable) {
            Log.warn("upstream sign-out skipped", "upstream", upstreamId, "reason", unreachable.reason().name());
            return Optional.empty();
        }
        return endSession.map(endpoint -> {
            ObjectNode content = Json.object().put("upstream", upstreamId)
                    .put("exp", clock.instant().getEpochSecond() + STATE_LIFETIME_SECONDS);
            if (then != null) {
                content.put("then", then);
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("client_id", provider.upstream().clientId());
            parameters.put("post_logout_redirect_uri", signedOutUri(issuerUrl, upstreamId));
            parameters.put("state", SignedTicket.seal(hasher, PURPOSE, content));
            return AuthorizationEndpoint.withQuery(endpoint, parameters);
        });
    }

    /**
     * The upstream sent the browser back: where this service's logout was going (empty: its signed-out page), or a
     * SignInFailure when the state is not one this service wrote for this upstream, or has expired.
     */
    public Optional<String> back(String upstreamId, String state) {
        JsonNode content = Optional.ofNullable(state).flatMap(value -> SignedTicket.open(hasher, PURPOSE, value))
                .filter(opened -> opened.path("upstream").asText().equals(upstreamId))
                .filter(opened -> clock.instant().getEpochSecond() <= opened.path("exp").asLong(0))
                .orElseThrow(() -> new SignInFailure(Reason.SIGN_OUT_LINK_INVALID));
        return Optional.ofNullable(SignedTicket.text(content, "then"));
    }

    /** The URI to register at the upstream as a post-logout redirect URI. */
    public static String signedOutUri(String issuerUrl, String upstreamId) {
        return issuerUrl + "/oauth2/upstream/" + upstreamId + "/signed-out";
    }
}
