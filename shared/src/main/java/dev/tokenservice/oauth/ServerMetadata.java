package dev.tokenservice.oauth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import java.util.List;

/** RFC 8414 authorization server metadata: it lists what this deployment actually serves, nothing more. */
public final class ServerMetadata {

    private ServerMetadata() {
    }

    public static ObjectNode describe(String issuer, List<String> scopes) {
        ObjectNode metadata = Json.object();
        metadata.put("issuer", issuer);
        metadata.put("authorization_endpoint", issuer + "/oauth2/authorize");
        metadata.put("token_endpoint", issuer + "/oauth2/token");
        metadata.put("introspection_endpoint", issuer + "/oauth2/introspect");
        metadata.put("revocation_endpoint", issuer + "/oauth2/revoke");
        metadata.put("jwks_uri", issuer + "/.well-known/jwks.json");
        metadata.putArray("grant_types_supported")
                .add(AuthorizationCodeGrant.GRANT_TYPE)
                .add(RefreshTokenGrant.GRANT_TYPE)
                .add(ClientCredentialsGrant.GRANT_TYPE);
        metadata.putArray("response_types_supported").add("code");
        metadata.putArray("response_modes_supported").add("query");
        metadata.putArray("code_challenge_methods_supported").add(Pkce.S256);
        metadata.putArray("token_endpoint_auth_methods_supported")
                .add("client_secret_basic").add("client_secret_post").add("none");
        metadata.putArray("introspection_endpoint_auth_methods_supported")
                .add("client_secret_basic").add("client_secret_post");
        metadata.putArray("revocation_endpoint_auth_methods_supported")
                .add("client_secret_basic").add("client_secret_post").add("none");
        metadata.put("authorization_response_iss_parameter_supported", true);
        var supported = metadata.putArray("scopes_supported");
        scopes.forEach(supported::add);
        return metadata;
    }
}
