package dev.tokenservice.oauth.token;

import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenRepository;
import java.util.List;

/** RFC 6749 §4.1.3 with RFC 7636: the code, its redirect URI and PKCE verifier become the user's tokens. */
public final class AuthorizationCodeGrant implements Grant {

    public static final String GRANT_TYPE = "authorization_code";

    private final ClientAuthentication authentication;
    private final AuthorizationCodes codes;
    private final TokenRepository tokens;
    private final UserTokens userTokens;

    public AuthorizationCodeGrant(ClientAuthentication authentication, AuthorizationCodes codes, TokenRepository tokens,
            UserTokens userTokens) {
        this.authentication = authentication;
        this.codes = codes;
        this.tokens = tokens;
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
            throw OAuthErrors.unauthorizedClient("the client may not use the authorization code grant");
        }
        String code = request.required("code");
        String verifier = request.parameter("code_verifier").orElse(null);
        if (!caller.confidential() && verifier == null) {
            throw OAuthErrors.invalidRequest("the parameter code_verifier is required for a public client");
        }
        List<String> registered = client.getRedirectUris() == null ? List.of() : client.getRedirectUris();
        String redirectUri = request.parameter("redirect_uri").orElseGet(() -> {
            if (registered.size() == 1) {
                return registered.get(0);
            }
            throw OAuthErrors.invalidRequest("the parameter redirect_uri is required");
        });
        TokenItem grant = codes.redeem(code, client.getClientId(), redirectUri, verifier);
        if (grant.grantStart() <= tokens.revokedUpTo(client.getClientId(), grant.getSubject(), grant.getSession())) {
            throw OAuthErrors.invalidGrant("the consent behind this code was revoked");
        }
        // The tokens carry the code's issue time: a revocation record that lands between the check above and
        // their issue, and covers the code, covers them too.
        return userTokens.issue(issuerUrl, client, grant.getSubject(), ScopeStrings.split(grant.getScope()),
                grant.getSession(), grant.getAuthTime(), grant.grantStart(), grant.getNonce(),
                UserClaims.fromJson(grant.getUserClaims()), DpopBinding.of(request, caller.confidential()));
    }
}
