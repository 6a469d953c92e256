package dev.tokenservice.oauth;

import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.TokenRepository;
import java.time.Duration;
import java.util.Optional;

/** POST /oauth2/token: dispatches on grant_type to the grant that handles it. */
public final class TokenEndpoint {

    private final ClientCredentialsGrant clientCredentials;
    private final AuthorizationCodeGrant authorizationCode;
    private final RefreshTokenGrant refreshToken;

    public TokenEndpoint(ClientAuthentication authentication, AccessTokenIssuer issuer, TokenRepository tokens,
            AuthorizationCodes codes, RefreshTokens refreshTokens, IdTokens idTokens, Optional<String> defaultAudience,
            Duration accessTokenTtl) {
        UserTokens userTokens = new UserTokens(issuer, refreshTokens, idTokens, defaultAudience, accessTokenTtl);
        this.clientCredentials = new ClientCredentialsGrant(authentication, issuer, defaultAudience, accessTokenTtl);
        this.authorizationCode = new AuthorizationCodeGrant(authentication, codes, tokens, userTokens);
        this.refreshToken = new RefreshTokenGrant(authentication, refreshTokens, userTokens);
    }

    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        String grantType = request.required("grant_type");
        return switch (grantType) {
            case ClientCredentialsGrant.GRANT_TYPE -> new TokenResponse(clientCredentials.exchange(request, issuerUrl), null);
            case AuthorizationCodeGrant.GRANT_TYPE -> authorizationCode.exchange(request, issuerUrl);
            case RefreshTokenGrant.GRANT_TYPE -> refreshToken.exchange(request, issuerUrl);
            default -> throw OAuthErrors.unsupportedGrantType("the grant type " + grantType + " is not supported");
        };
    }
}
