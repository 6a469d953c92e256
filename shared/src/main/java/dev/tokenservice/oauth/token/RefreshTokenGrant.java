package dev.tokenservice.oauth.token;

import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.OAuthScopes;
import dev.tokenservice.oauth.ResourceIndicators;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.TokenItem;
import java.util.List;

/** RFC 6749 §6 with rotation: a refresh token buys new tokens in its session, once. */
public final class RefreshTokenGrant implements Grant {

    public static final String GRANT_TYPE = "refresh_token";

    private final ClientAuthentication authentication;
    private final RefreshTokens refreshTokens;
    private final UserTokens userTokens;

    public RefreshTokenGrant(ClientAuthentication authentication, RefreshTokens refreshTokens, UserTokens userTokens) {
        this.authentication = authentication;
        this.refreshTokens = refreshTokens;
        this.userTokens = userTokens;
    }

    @Override
    public String grantType() {
        return GRANT_TYPE;
    }

    @Override
    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        var caller = authentication.authenticateAllowingPublic(request);
        var client = caller.client();
        if (!client.allowsGrant(GRANT_TYPE)) {
            throw OAuthErrors.unauthorizedClient("the client may not use refresh tokens");
        }
        List<String> requested = ResourceIndicators.parse(request.values("resource"));
        String ownAudience = userTokens.ownAudience(issuerUrl);
        // A refresh may narrow the resources to some the grant was given at authorization, never widen them.
        TokenItem grant = refreshTokens.rotate(request.required("refresh_token"), client.getClientId(),
                request.parameter("scope"), request.dpopKey(),
                row -> AuthorizationCodeGrant.audienceOf(requested, row, client, ownAudience));
        // A refresh may narrow the scopes, never widen them (RFC 6749 §6).
        List<String> scopes = OAuthScopes.granted(request.parameter("scope"), ScopeStrings.split(grant.getScope()));
        // A new ID token names the same sign-in (sub, auth_time, sid) and has no nonce (OpenID Connect Core §12.2).
        return userTokens.issue(issuerUrl, client, grant.getSubject(), scopes, grant.getSession(), grant.getAuthTime(),
                grant.grantStart(), null, UserClaims.fromJson(grant.getUserClaims()),
                AuthorizationCodeGrant.resourcesOf(grant),
                AuthorizationCodeGrant.audienceOf(requested, grant, client, ownAudience),
                DpopBinding.of(request, caller.confidential()));
    }
}
