package dev.tokenservice.oauth;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.AccessTokenRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Issues what a user's grant yields: an access token in the grant's session, and a refresh token if allowed. */
final class UserTokens {

    private final AccessTokenIssuer issuer;
    private final RefreshTokens refreshTokens;
    private final Optional<String> defaultAudience;
    private final Duration accessTokenTtl;

    UserTokens(AccessTokenIssuer issuer, RefreshTokens refreshTokens, Optional<String> defaultAudience,
            Duration accessTokenTtl) {
        this.issuer = issuer;
        this.refreshTokens = refreshTokens;
        this.defaultAudience = defaultAudience;
        this.accessTokenTtl = accessTokenTtl;
    }

    TokenResponse issue(String issuerUrl, ClientItem client, String subject, List<String> scopes, String session) {
        var access = issuer.issue(new AccessTokenRequest(issuerUrl, subject, client.getClientId(), scopes,
                List.of(defaultAudience.orElse(issuerUrl)), accessTokenTtl).inSession(session));
        String refresh = client.allowsGrant(RefreshTokenGrant.GRANT_TYPE)
                ? refreshTokens.issue(client.getClientId(), subject, scopes, session) : null;
        return new TokenResponse(access, refresh);
    }
}
