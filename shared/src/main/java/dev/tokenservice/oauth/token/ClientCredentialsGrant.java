package dev.tokenservice.oauth.token;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.oauth.OAuthScopes;
import dev.tokenservice.oauth.ResourceIndicators;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.AccessTokenRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** RFC 6749 §4.4: a confidential client gets a token for itself, with scopes it was registered for. */
public final class ClientCredentialsGrant implements Grant {

    public static final String GRANT_TYPE = "client_credentials";

    private final ClientAuthentication authentication;
    private final AccessTokenIssuer issuer;
    private final Optional<String> defaultAudience;
    private final Duration ttl;

    public ClientCredentialsGrant(ClientAuthentication authentication, AccessTokenIssuer issuer,
            Optional<String> defaultAudience, Duration ttl) {
        this.authentication = authentication;
        this.issuer = issuer;
        this.defaultAudience = defaultAudience;
        this.ttl = ttl;
    }

    @Override
    public String grantType() {
        return GRANT_TYPE;
    }

    /** An access token only: no refresh token and no ID token, as there is no user (RFC 6749 §4.4.3). */
    @Override
    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        ClientItem client = authentication.authenticate(request);
        if (!client.allowsGrant(GRANT_TYPE)) {
            throw OAuthErrors.unauthorizedClient("the client may not use the client_credentials grant");
        }
        List<String> resources = ResourceIndicators.parse(request.values("resource"));
        List<String> scopes = OAuthScopes.granted(request.parameter("scope"), client.scopesOrEmpty());
        String ownAudience = defaultAudience.orElse(issuerUrl);
        // RFC 8707: the resources asked for, each one the client may ask for, become the audience.
        List<String> audience = resources.isEmpty() ? List.of(ownAudience)
                : ResourceIndicators.requirePermitted(resources, client, ownAudience);
        return new TokenResponse(issuer.issue(new AccessTokenRequest(
                issuerUrl, client.getClientId(), client.getClientId(), scopes, audience, ttl)
                .boundTo(request.dpopKey().orElse(null))), null);
    }
}
