package dev.tokenservice.clients;

import dev.tokenservice.http.JsonBody;
import java.util.List;

/**
 * A validated DocSpace UpdateClientRequest: name, description and logo are replaced together, allowed
 * origins are replaced, redirect URIs stay (DocSpace's update rule). The fields DocSpace's SDKs never send
 * (resources, require_pushed_authorization_requests, dpop_bound_access_tokens) change only when given; a private_key_jwt client may also
 * replace its keys (jwks or jwks_uri; null: unchanged).
 */
public record ClientChanges(String name, String description, String logo, List<String> allowedOrigins,
        Boolean allowPkce, List<String> resources, Boolean requirePushedAuthorizationRequests, ClientKeys keys,
        Boolean dpopBoundAccessTokens) {

    public static ClientChanges from(JsonBody body) {
        ClientFields.ignoredIsPublic(body);
        return new ClientChanges(
                ClientFields.name(body),
                ClientFields.description(body),
                ClientFields.logo(body),
                ClientFields.urlList(body, "allowed_origins"),
                body.bool("allow_pkce").orElse(null),
                ClientFields.resources(body),
                body.bool("require_pushed_authorization_requests").orElse(null),
                ClientFields.keys(body),
                body.bool("dpop_bound_access_tokens").orElse(null));
    }
}
