package dev.tokenservice.oauth.token;

import dev.tokenservice.oauth.OAuthErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** POST /oauth2/token: dispatches on grant_type to the grant that handles it. */
public final class TokenEndpoint {

    private final Map<String, Grant> grants = new LinkedHashMap<>();

    /** @param grants every grant this service supports, each built here (in the init phase of its function) */
    public TokenEndpoint(List<Grant.Supported> grants) {
        for (Grant.Supported supported : grants) {
            Grant grant = supported.build().get();
            if (!grant.grantType().equals(supported.grantType())) {
                throw new IllegalStateException("the grant listed as " + supported.grantType() + " is "
                        + grant.grantType());
            }
            if (this.grants.put(grant.grantType(), grant) != null) {
                throw new IllegalStateException("the grant " + grant.grantType() + " is listed twice");
            }
        }
    }

    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        String grantType = request.required("grant_type");
        Grant grant = grants.get(grantType);
        if (grant == null) {
            throw OAuthErrors.unsupportedGrantType("the grant type " + grantType + " is not supported");
        }
        return grant.exchange(request, issuerUrl);
    }
}
