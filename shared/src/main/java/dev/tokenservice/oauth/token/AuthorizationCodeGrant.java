package dev.tokenservice.oauth.token;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.ResourceIndicators;
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
        List<String> requested = ResourceIndicators.parse(request.values("resource"));
        String ownAudience = userTokens.ownAudience(issuerUrl);
        TokenItem grant = codes.redeem(code, client.getClientId(), redirectUri, verifier,
                row -> {
                    requireBoundKey(row, request);
                    audienceOf(requested, row, client, ownAudience);
                });
        if (grant.grantStart() <= tokens.revokedUpTo(client.getClientId(), grant.getSubject(), grant.getSession())) {
            throw OAuthErrors.invalidGrant("the consent behind this code was revoked");
        }
        // The tokens carry the code's issue time: a revocation record that lands between the check above and
        // their issue, and covers the code, covers them too.
        return userTokens.issue(issuerUrl, client, grant.getSubject(), ScopeStrings.split(grant.getScope()),
                grant.getSession(), grant.getAuthTime(), grant.grantStart(), grant.getNonce(),
                UserClaims.fromJson(grant.getUserClaims()), resourcesOf(grant),
                audienceOf(requested, grant, client, ownAudience), DpopBinding.of(request, caller.confidential()));
    }

    /**
     * A code bound to a DPoP key (dpop_jkt, RFC 9449 §10) is redeemed only with a proof signed by that key; checked
     * before the code is used, so a request without the key does not spend it.
     */
    private static void requireBoundKey(TokenItem code, TokenRequest request) {
        if (code.getDpopKey() != null && !code.getDpopKey().equals(request.dpopKey().orElse(null))) {
            throw OAuthErrors.invalidDpopProof("the authorization code is bound to a DPoP key (dpop_jkt): the token "
                    + "request's DPoP proof must be signed by that key");
        }
    }

    /** The resources the grant holds (RFC 8707): those of its authorization request; empty: this service. */
    static List<String> resourcesOf(TokenItem grant) {
        return grant.getAudience() == null ? List.of() : grant.getAudience();
    }

    /**
     * What the access token is for: the requested resources, each among those the grant holds (this service's
     * own when it names none), and each one the client may still ask for; all of the grant's when none is asked.
     */
    static List<String> audienceOf(List<String> requested, TokenItem grant, ClientItem client, String ownAudience) {
        List<String> held = resourcesOf(grant).isEmpty() ? List.of(ownAudience) : resourcesOf(grant);
        List<String> audience = ResourceIndicators.narrowed(requested, held);
        ResourceIndicators.requirePermitted(audience, client, ownAudience);
        return requested.isEmpty() && resourcesOf(grant).isEmpty() ? List.of() : audience;
    }
}
