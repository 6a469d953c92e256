package dev.tokenservice.openid;

import static dev.tokenservice.clients.ClientAuthMethods.NONE;
import static dev.tokenservice.clients.ClientAuthMethods.PRIVATE_KEY_JWT;
import static dev.tokenservice.clients.ClientAuthMethods.SECRET_BASIC;
import static dev.tokenservice.clients.ClientAuthMethods.SECRET_POST;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.ClientAuthMethods;
import dev.tokenservice.clients.ScopeCatalog;
import dev.tokenservice.http.Json;
import dev.tokenservice.oauth.Pkce;
import dev.tokenservice.signing.SigningKeys;
import java.util.List;

/**
 * RFC 8414 authorization server metadata, which is also the OpenID Connect Discovery 1.0 document: both
 * well-known routes serve this one description, so they cannot disagree. It lists what this deployment
 * actually serves, nothing more.
 */
public final class ServerMetadata {

    private ServerMetadata() {
    }

    /** Claims an ID token or the userinfo answer may carry. */
    static final List<String> CLAIMS = java.util.stream.Stream.concat(java.util.stream.Stream.of("sub", "iss", "aud",
            "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "sid", "amr", "acr", "scope", "jti", "nbf", "cid", "tid"),
            dev.tokenservice.sessions.UserClaims.names().stream()).toList();

    /** The document for this issuer: the listed catalogue scopes, and the algorithms of the published keys. */
    public static ObjectNode describe(String issuer, SigningKeys keys, List<String> grantTypes) {
        return describe(issuer, grantTypes, ScopeCatalog.listed().stream().map(ScopeCatalog.Scope::name).toList(),
                keys.publicJwks().getKeys().stream().map(key -> key.getAlgorithm() != null
                        ? key.getAlgorithm().getName() : keys.active().algorithm().getName()).toList());
    }

    /**
     * @param grantTypes        the grant types the token endpoint serves (the one list in the wiring)
     * @param signingAlgorithms the JOSE algorithms of the published keys (they sign ID tokens too)
     */
    public static ObjectNode describe(String issuer, List<String> grantTypes, List<String> scopes,
            List<String> signingAlgorithms) {
        ObjectNode metadata = Json.object();
        metadata.put("issuer", issuer);
        metadata.put("authorization_endpoint", issuer + "/oauth2/authorize");
        metadata.put("token_endpoint", issuer + "/oauth2/token");
        metadata.put("introspection_endpoint", issuer + "/oauth2/introspect");
        metadata.put("revocation_endpoint", issuer + "/oauth2/revoke");
        metadata.put("jwks_uri", issuer + "/.well-known/jwks.json");
        metadata.put("userinfo_endpoint", issuer + "/oauth2/userinfo");
        metadata.put("end_session_endpoint", issuer + "/oauth2/logout");
        metadata.put("pushed_authorization_request_endpoint", issuer + "/oauth2/par");
        metadata.put("device_authorization_endpoint", issuer + "/oauth2/device_authorization");
        // Per client (its registry entry), not for every client (RFC 9126 §5).
        metadata.put("require_pushed_authorization_requests", false);
        var grants = metadata.putArray("grant_types_supported");
        grantTypes.forEach(grants::add);
        metadata.putArray("response_types_supported").add("code");
        metadata.putArray("response_modes_supported").add("query");
        metadata.putArray("code_challenge_methods_supported").add(Pkce.S256);
        // Every endpoint that authenticates clients does it the one way (ClientAuthentication); introspection has
        // no public clients.
        methods(metadata, "token_endpoint", List.of(SECRET_BASIC, SECRET_POST, PRIVATE_KEY_JWT, NONE));
        methods(metadata, "introspection_endpoint", List.of(SECRET_BASIC, SECRET_POST, PRIVATE_KEY_JWT));
        methods(metadata, "revocation_endpoint", List.of(SECRET_BASIC, SECRET_POST, PRIVATE_KEY_JWT, NONE));
        metadata.put("authorization_response_iss_parameter_supported", true);
        var dpopAlgorithms = metadata.putArray("dpop_signing_alg_values_supported");
        dev.tokenservice.dpop.DpopProofs.ALGORITHMS.forEach(algorithm -> dpopAlgorithms.add(algorithm.getName()));
        var supported = metadata.putArray("scopes_supported");
        scopes.forEach(supported::add);
        if (scopes.contains("openid")) {
            OpenIdScopes.OPENID_SCOPES.forEach(supported::add);
        }
        metadata.putArray("subject_types_supported").add("public");
        var algorithms = metadata.putArray("id_token_signing_alg_values_supported");
        signingAlgorithms.stream().distinct().forEach(algorithms::add);
        var claims = metadata.putArray("claims_supported");
        CLAIMS.forEach(claims::add);
        metadata.putArray("prompt_values_supported").add("none").add("login").add("consent").add("select_account");
        metadata.put("claims_parameter_supported", false);
        metadata.put("request_parameter_supported", false);
        metadata.put("request_uri_parameter_supported", false);
        metadata.put("require_request_uri_registration", false);
        return metadata;
    }

    /** The endpoint's client authentication methods, and the assertion algorithms as private_key_jwt is among them. */
    private static void methods(ObjectNode metadata, String endpoint, List<String> methods) {
        var names = metadata.putArray(endpoint + "_auth_methods_supported");
        methods.forEach(names::add);
        var algorithms = metadata.putArray(endpoint + "_auth_signing_alg_values_supported");
        ClientAuthMethods.ASSERTION_ALGORITHMS.forEach(algorithms::add);
    }
}
