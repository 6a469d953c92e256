package dev.tokenservice.oauth.token;

import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.OAuthScopes;
import dev.tokenservice.oauth.ResourceIndicators;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.AccessTokenRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 8693 token exchange: a client trades a live access token of this service (the subject token) for another
 * access token about the same subject, for the audience it names and with the same or fewer scopes; with an actor
 * token, the new token says who acts for the subject (act, nesting any earlier actor).
 * <ul>
 * <li>Who may exchange what: a client that may use this grant (its registered grant types), for a subject token
 *     issued to it or naming it in its audience (the same rule as introspection), for the audiences the client
 *     registry lets it ask for (the client's resources, as for RFC 8707 resource indicators: one list says what a
 *     client may get tokens for, whichever grant it uses).</li>
 * <li>The new token joins the subject token's family: the same session (sid) and the same grant issue time, so
 *     whatever ends that session or revokes that grant ends the exchanged token too; and it never outlives the
 *     subject token.</li>
 * </ul>
 */
public final class TokenExchangeGrant implements Grant {

    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private final ClientAuthentication authentication;
    private final CallerAuthenticator accessTokens;
    private final AccessTokenIssuer issuer;
    private final Optional<String> defaultAudience;
    private final Duration ttl;
    private final Clock clock;

    public TokenExchangeGrant(ClientAuthentication authentication, CallerAuthenticator accessTokens,
            AccessTokenIssuer issuer, Optional<String> defaultAudience, Duration ttl, Clock clock) {
        this.authentication = authentication;
        this.accessTokens = accessTokens;
        this.issuer = issuer;
        this.defaultAudience = defaultAudience;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public String grantType() {
        return GRANT_TYPE;
    }

    /** An access token only (RFC 8693 §2.2.1): no refresh token, no ID token. */
    @Override
    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        ClientItem client = authentication.authenticate(request);
        if (!client.allowsGrant(GRANT_TYPE)) {
            throw OAuthErrors.unauthorizedClient("the client may not use token exchange");
        }
        String subjectToken = request.required("subject_token");
        requireAccessTokenType(request, "subject_token_type", true);
        requireAccessTokenType(request, "requested_token_type", false);
        Optional<String> actorToken = request.parameter("actor_token");
        requireAccessTokenType(request, "actor_token_type", actorToken.isPresent());
        if (actorToken.isEmpty() && request.parameter("actor_token_type").isPresent()) {
            throw OAuthErrors.invalidRequest("actor_token_type was sent without actor_token");
        }
        String ownAudience = defaultAudience.orElse(issuerUrl);
        List<String> targets = new ArrayList<>(ResourceIndicators.parse(request.values("resource")));
        request.values("audience").stream().filter(value -> !targets.contains(value)).forEach(targets::add);
        List<String> audience = targets.isEmpty() ? List.of(ownAudience)
                : ResourceIndicators.requirePermitted(targets, client, ownAudience);

        CallerAuthenticator.LiveToken subject = live(subjectToken, "subject_token", issuerUrl);
        var subjectCaller = subject.caller();
        List<String> subjectAudience = subjectCaller.claims().getAudience();
        if (!client.getClientId().equals(subjectCaller.clientId())
                && (subjectAudience == null || !subjectAudience.contains(client.getClientId()))) {
            throw OAuthErrors.invalidRequest("subject_token was neither issued to this client nor meant for it (aud)");
        }
        // Never wider than the subject token: its scopes, or fewer (invalid_scope otherwise).
        List<String> scopes = OAuthScopes.granted(request.parameter("scope"),
                ScopeStrings.split((String) subjectCaller.claims().getClaim("scope")));

        Map<String, Object> claims = new LinkedHashMap<>();
        Object earlierActor = subjectCaller.claims().getClaim("act");
        if (actorToken.isPresent()) {
            var actor = live(actorToken.get(), "actor_token", issuerUrl).caller();
            if (!client.getClientId().equals(actor.clientId())) {
                throw OAuthErrors.invalidRequest("actor_token was not issued to this client");
            }
            Map<String, Object> act = new LinkedHashMap<>();
            act.put("sub", actor.subject());
            act.put("client_id", actor.clientId());
            if (earlierActor != null) {
                act.put("act", earlierActor);
            }
            claims.put("act", act);
        } else if (earlierActor != null) {
            // The token is still used on the earlier actor's behalf: the chain is kept, not dropped.
            claims.put("act", earlierActor);
        }

        var row = subject.row();
        Instant subjectExpiry = Instant.ofEpochSecond(subjectCaller.expiresAt());
        Instant ownExpiry = clock.instant().plus(ttl);
        var issued = issuer.issue(new AccessTokenRequest(issuerUrl, subjectCaller.subject(), client.getClientId(),
                scopes, audience, ttl)
                .inSession(row.getSession(), row.grantStart())
                .withClaims(claims)
                .expiringAt(ownExpiry.isBefore(subjectExpiry) ? ownExpiry : subjectExpiry)
                .withUserClaims(row.getUserClaims() == null ? null
                        : UserClaims.fromJson(row.getUserClaims()).keptFor(scopes).toJson())
                // A proof with the exchange binds the new token to the exchanging client's key (RFC 9449 §5).
                .boundTo(request.dpopKey().orElse(null))
                .forGrantOf(grantClientOf(subjectCaller.claims(), client.getClientId())));
        return new TokenResponse(issued, null, null, ACCESS_TOKEN_TYPE);
    }

    /**
     * The client whose grant the subject token descends from (its own grant_client_id when it was exchanged itself,
     * else its client), when another than the exchanging client: ending that grant ends the new token too.
     */
    private static String grantClientOf(com.nimbusds.jwt.JWTClaimsSet subject, String exchangingClient) {
        Object earlier = subject.getClaim(AccessTokenIssuer.GRANT_CLIENT);
        String grantClient = earlier instanceof String known ? known : (String) subject.getClaim("client_id");
        return exchangingClient.equals(grantClient) ? null : grantClient;
    }

    /** The live token with its row; invalid_request naming the parameter when it is not one (RFC 8693 §2.2.2). */
    private CallerAuthenticator.LiveToken live(String token, String parameter, String issuerUrl) {
        try {
            return accessTokens.checkLocally(token, issuerUrl).liveToken();
        } catch (ApiError notLive) {
            throw OAuthErrors.invalidRequest(parameter + " is not a live access token of this service: "
                    + notLive.description());
        }
    }

    private static void requireAccessTokenType(TokenRequest request, String parameter, boolean required) {
        Optional<String> type = required ? Optional.of(request.required(parameter)) : request.parameter(parameter);
        if (type.isPresent() && !ACCESS_TOKEN_TYPE.equals(type.get())) {
            throw OAuthErrors.invalidRequest(parameter + " must be " + ACCESS_TOKEN_TYPE
                    + ": only access tokens of this service are exchanged and issued");
        }
    }
}
