package dev.tokenservice.oauth.token;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.openid.IdTokens;
import dev.tokenservice.openid.OpenIdScopes;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.AccessTokenRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Issues what a user's grant yields: an access token in the grant's session, a refresh token if allowed, and
 * an ID token when openid is among the scopes.
 */
public final class UserTokens {

    static final String OPENID = OpenIdScopes.OPENID;

    private final AccessTokenIssuer issuer;
    private final RefreshTokens refreshTokens;
    private final IdTokens idTokens;
    private final Optional<String> defaultAudience;
    private final Duration accessTokenTtl;

    public UserTokens(AccessTokenIssuer issuer, RefreshTokens refreshTokens, IdTokens idTokens,
            Optional<String> defaultAudience, Duration accessTokenTtl) {
        this.issuer = issuer;
        this.refreshTokens = refreshTokens;
        this.idTokens = idTokens;
        this.defaultAudience = defaultAudience;
        this.accessTokenTtl = accessTokenTtl;
    }

    /**
     * @param authTime      when the user signed in (epoch seconds), carried from the code to every refresh token
     * @param grantIssuedAt when the code that began the session was issued (epoch ms), carried to every token of
     *                      the session: what revocation records are compared with
     * @param nonce         the authorization request's nonce; null on refresh (OpenID Connect Core §12.2)
     * @param user          what the session told of the person (amr, acr, standard claims), kept with the grant
     * @param resources     the grant's resources (RFC 8707), kept with its refresh token; empty: this service
     * @param audience      what this access token is for: some or all of the grant's resources
     * @param binding       the DPoP key the access and refresh tokens are bound to, if any
     */
    TokenResponse issue(String issuerUrl, ClientItem client, String subject, List<String> scopes, String session,
            Long authTime, long grantIssuedAt, String nonce, UserClaims user, List<String> resources,
            List<String> audience, DpopBinding binding) {
        // A refresh may narrow the scopes: only what they still release is kept and served.
        UserClaims released = user.keptFor(scopes);
        var access = issuer.issue(new AccessTokenRequest(issuerUrl, subject, client.getClientId(), scopes,
                audience(issuerUrl, scopes, audience), accessTokenTtl).inSession(session, grantIssuedAt)
                .withUserClaims(released.toJson()).boundTo(binding.accessTokenKey()));
        String refresh = client.allowsGrant(RefreshTokenGrant.GRANT_TYPE)
                ? refreshTokens.issue(client.getClientId(), subject, scopes, session, authTime, grantIssuedAt, released,
                        resources, binding.refreshTokenKey())
                : null;
        String idToken = scopes.contains(OPENID)
                ? idTokens.issue(issuerUrl, new IdTokens.Claims(subject, client.getClientId(), authTime, nonce, session,
                        released, scopes), access.value())
                : null;
        return new TokenResponse(access, refresh, idToken);
    }

    /** The audience of this service's own tokens: the configured one, or this issuer. */
    public String ownAudience(String issuerUrl) {
        return defaultAudience.orElse(issuerUrl);
    }

    /**
     * The requested resources, or this service's own audience; with openid granted this issuer is among the
     * audiences in any case, because the token must be accepted at this service's own userinfo endpoint.
     */
    private List<String> audience(String issuerUrl, List<String> scopes, List<String> resources) {
        List<String> audience = new java.util.ArrayList<>(resources.isEmpty() ? List.of(ownAudience(issuerUrl)) : resources);
        if (scopes.contains(OPENID) && !audience.contains(issuerUrl)) {
            audience.add(issuerUrl);
        }
        return List.copyOf(audience);
    }
}
