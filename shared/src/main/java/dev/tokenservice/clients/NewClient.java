package dev.tokenservice.clients;

import dev.tokenservice.http.JsonBody;
import java.util.List;

/** A validated DocSpace CreateClientRequest. */
public record NewClient(
        String name, String description, String logo, String websiteUrl, String termsUrl, String policyUrl,
        String logoutRedirectUri, List<String> redirectUris, List<String> allowedOrigins, List<String> scopes,
        boolean allowPkce) {

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
                body.bool("allow_pkce").orElse(false));
    }
}
