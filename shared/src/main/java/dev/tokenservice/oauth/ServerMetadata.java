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
        metadata.put("token_endpoint", issuer + "/oauth2/token");
        metadata.put("jwks_uri", issuer + "/.well-known/jwks.json");
        metadata.putArray("grant_types_supported").add(ClientCredentialsGrant.GRANT_TYPE);
        // No authorization endpoint is served yet, so no response type is supported.
        metadata.putArray("response_types_supported");
        var methods = metadata.putArray("token_endpoint_auth_methods_supported");
        methods.add("client_secret_basic");
        methods.add("client_secret_post");
        var supported = metadata.putArray("scopes_supported");
        scopes.forEach(supported::add);
        return metadata;
    }
}
