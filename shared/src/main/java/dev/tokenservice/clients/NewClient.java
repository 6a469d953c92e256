package dev.tokenservice.clients;

import dev.tokenservice.http.JsonBody;
import java.util.List;

/**
 * A validated DocSpace CreateClientRequest, with two optional fields DocSpace's SDKs never send: the resources the
 * client may ask tokens for (RFC 8707) and whether it must push its authorization requests (RFC 9126).
 */
public record NewClient(
        String name, String description, String logo, String websiteUrl, String termsUrl, String policyUrl,
        String logoutRedirectUri, List<String> redirectUris, List<String> allowedOrigins, List<String> scopes,
        boolean allowPkce, List<String> resources, boolean requirePushedAuthorizationRequests) {

    /** A client with neither of the fields beyond DocSpace's request. */
    public NewClient(String name, String description, String logo, String websiteUrl, String termsUrl,
            String policyUrl, String logoutRedirectUri, List<String> redirectUris, List<String> allowedOrigins,
            List<String> scopes, boolean allowPkce) {
        this(name, description, logo, websiteUrl, termsUrl, policyUrl, logoutRedirectUri, redirectUris,
                allowedOrigins, scopes, allowPkce, null, false);
    }

    public static NewClient from(JsonBody body) {
        ClientFields.ignoredIsPublic(body);
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
                body.bool("allow_pkce").orElse(false),
                ClientFields.resources(body),
                body.bool("require_pushed_authorization_requests").orElse(false));
    }
}
