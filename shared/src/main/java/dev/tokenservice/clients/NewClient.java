package dev.tokenservice.clients;

import dev.tokenservice.http.JsonBody;
import java.util.List;

/**
 * A validated DocSpace CreateClientRequest, with optional fields DocSpace's SDKs never send: the resources the
 * client may ask tokens for (RFC 8707), whether it must push its authorization requests (RFC 9126), for a client
 * that authenticates with a key the RFC 7591 fields token_endpoint_auth_method, jwks and jwks_uri, and whether its
 * token requests must carry DPoP proofs (RFC 9449 §5.2, dpop_bound_access_tokens).
 */
public record NewClient(
        String name, String description, String logo, String websiteUrl, String termsUrl, String policyUrl,
        String logoutRedirectUri, List<String> redirectUris, List<String> allowedOrigins, List<String> scopes,
        boolean allowPkce, List<String> resources, boolean requirePushedAuthorizationRequests, String authMethod,
        ClientKeys keys, boolean dpopBoundAccessTokens) {

    /** A client as DocSpace registers it: with a secret (and "none" too when allowPkce), none of the other fields. */
    public NewClient(String name, String description, String logo, String websiteUrl, String termsUrl,
            String policyUrl, String logoutRedirectUri, List<String> redirectUris, List<String> allowedOrigins,
            List<String> scopes, boolean allowPkce) {
        this(name, description, logo, websiteUrl, termsUrl, policyUrl, logoutRedirectUri, redirectUris,
                allowedOrigins, scopes, allowPkce, null, false, null, null, false);
    }

    public static NewClient from(JsonBody body) {
        ClientFields.ignoredIsPublic(body);
        boolean allowPkce = body.bool("allow_pkce").orElse(false);
        String authMethod = ClientFields.authMethod(body);
        ClientKeys keys = ClientFields.keys(body);
        if (ClientAuthMethods.PRIVATE_KEY_JWT.equals(authMethod)) {
            if (keys == null) {
                throw JsonBody.invalid("jwks: a private_key_jwt client registers jwks or jwks_uri");
            }
            if (allowPkce) {
                throw JsonBody.invalid("allow_pkce: a private_key_jwt client authenticates with its key and cannot "
                        + "also be a public client");
            }
        } else if (keys != null) {
            throw JsonBody.invalid((keys.jwks() != null ? "jwks" : "jwks_uri")
                    + ": only a client whose token_endpoint_auth_method is private_key_jwt registers keys");
        }
        return new NewClient(
                ClientFields.name(body),
                ClientFields.description(body),
                ClientFields.logo(body),
                ClientFields.url(body, "website_url"),
                ClientFields.url(body, "terms_url"),
                ClientFields.url(body, "policy_url"),
                ClientFields.url(body, "logout_redirect_uri"),
                ClientFields.urlList(body, "redirect_uris"),
                ClientFields.urlList(body, "allowed_origins"),
                ClientFields.scopes(body),
                allowPkce,
                ClientFields.resources(body),
                body.bool("require_pushed_authorization_requests").orElse(false),
                authMethod,
                keys,
                body.bool("dpop_bound_access_tokens").orElse(false));
    }
}
