package dev.tokenservice.oauth.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * RFC 7662: tells an authenticated client whether a token is live, from the same state that decides
 * every protected call (so a revocation shows here at once). Anything not live, and any token the asking
 * client may not see (see {@link #mayIntrospect}), is just {"active": false}.
 * For an access token, the asking client's row and the token's state are read in one BatchGetItem (one
 * request, one round trip); the token's answer is used only once the client has proven its secret. The client's
 * row, and its client-level revocation record, may come from the container's client cache instead (ClientCache).
 */
public final class Introspection {

    private final ClientAuthentication authentication;
    private final ClientRepository clients;
    private final CallerAuthenticator accessTokens;
    private final RefreshTokens refreshTokens;
    private final Tables tables;

    public Introspection(ClientAuthentication authentication, ClientRepository clients, CallerAuthenticator accessTokens,
            RefreshTokens refreshTokens, Tables tables) {
        this.authentication = authentication;
        this.clients = clients;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.tables = tables;
    }

    /**
     * The token's answer, for a client allowed to see it. The hint only orders the search (RFC 7662 §2.1: a token
     * not found under it is searched for under the other types): access tokens are JWTs and refresh tokens opaque,
     * so the value's shape decides where it can be, whatever the hint says.
     */
    public ObjectNode introspect(TokenRequest request, String issuerUrl) {
        var presented = request.parameter("token");
        if (presented.isEmpty() || !looksLikeJwt(presented.get())) {
            ClientItem asking = authentication.authenticate(request);
            String token = request.required("token");
            return refreshTokens.findLive(token, null)
                    .filter(refreshToken -> mayIntrospect(asking, refreshToken.getClientId(), List.of()))
                    .map(Introspection::active).orElseGet(Introspection::inactive);
        }
        ClientAuthentication.Credentials credentials = authentication.presented(request);
        Optional<CallerAuthenticator.PendingCheck> accessToken = checkedLocally(presented.get(), issuerUrl);
        ClientRepository.AuthenticationRow row =
                clients.forAuthentication(credentials.clientId(), authentication.granting(credentials));
        BatchLookup lookup = row.addTo(new BatchLookup(tables));
        accessToken.ifPresent(pending -> pending.addTo(lookup));
        ClientItem asking = authentication.check(credentials, row.from(lookup));
        return accessToken.flatMap(pending -> liveCaller(pending, lookup))
                .filter(token -> mayIntrospect(asking, token.clientId(), token.claims().getAudience()))
                .map(Introspection::active).orElseGet(Introspection::inactive);
    }

    /**
     * Who may learn what a token grants (RFC 7662 §4, against token scanning), as Keycloak decides it: the client
     * the token was issued to, a client named in its audience (a resource server it was meant for), or a client
     * registered with tokens:admin, the scope that already lists and reads every token through the token APIs.
     * Anyone else is told the token is inactive, which reveals nothing about it.
     */
    static boolean mayIntrospect(ClientItem asking, String tokenClientId, List<String> tokenAudience) {
        return asking.getClientId().equals(tokenClientId)
                || (tokenAudience != null && tokenAudience.contains(asking.getClientId()))
                || (asking.getScopes() != null && asking.getScopes().contains(ServiceScopes.TOKENS_ADMIN));
    }

    /** A forged, foreign or expired token is inactive without reading its state. */
    private Optional<CallerAuthenticator.PendingCheck> checkedLocally(String token, String issuerUrl) {
        try {
            return Optional.of(accessTokens.checkLocally(token, issuerUrl));
        } catch (ApiError notGenuine) {
            return Optional.empty();
        }
    }

    private static Optional<Caller> liveCaller(CallerAuthenticator.PendingCheck pending, BatchLookup lookup) {
        try {
            return Optional.of(pending.liveCaller(lookup));
        } catch (ApiError revoked) {
            return Optional.empty();
        }
    }

    private static ObjectNode active(Caller caller) {
        var claims = caller.claims();
        Optional<String> boundKey = CallerAuthenticator.boundKey(claims);
        ObjectNode body = Json.object().put("active", true)
                .put("scope", (String) claims.getClaim("scope"))
                .put("client_id", caller.clientId())
                .put("sub", caller.subject())
                .put("token_type", boundKey.isPresent() ? "DPoP" : "Bearer")
                .put("exp", caller.expiresAt())
                .put("iat", claims.getIssueTime().toInstant().getEpochSecond())
                .put("iss", claims.getIssuer())
                .put("jti", caller.jti());
        var audience = body.putArray("aud");
        claims.getAudience().forEach(audience::add);
        // RFC 9449 §6.2: a resource server learns the key it must see a proof of.
        boundKey.ifPresent(key -> body.putObject("cnf").put("jkt", key));
        return body;
    }

    private static ObjectNode active(TokenItem refreshToken) {
        ObjectNode body = Json.object().put("active", true)
                .put("scope", refreshToken.getScope())
                .put("client_id", refreshToken.getClientId())
                .put("sub", refreshToken.getSubject())
                .put("token_type", "refresh_token")
                .put("exp", refreshToken.getExpiresAt())
                .put("iat", Instant.ofEpochMilli(refreshToken.getIssuedAt()).getEpochSecond());
        if (refreshToken.getDpopKey() != null) {
            body.putObject("cnf").put("jkt", refreshToken.getDpopKey());
        }
        return body;
    }

    private static ObjectNode inactive() {
        return Json.object().put("active", false);
    }

    /** Exactly two dots (a loop, not a stream over the token's characters: this runs on every introspection). */
    private static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second >= 0 && token.indexOf('.', second + 1) < 0;
    }
}
