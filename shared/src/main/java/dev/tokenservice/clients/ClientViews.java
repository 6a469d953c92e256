package dev.tokenservice.clients;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import java.util.List;

/**
 * DocSpace's response shapes. Like the DocSpace server, absent values are sent as null, except
 * client_secret, which appears only in the answers to create and regenerate.
 */
public final class ClientViews {

    private ClientViews() {
    }

    /** ClientResponse; the secret is given only when it was just created. */
    public static ObjectNode client(ClientItem client, String plaintextSecret) {
        ObjectNode view = Json.object();
        view.put("name", client.getName());
        view.put("client_id", client.getClientId());
        if (plaintextSecret != null) {
            view.put("client_secret", plaintextSecret);
        }
        view.put("description", client.getDescription());
        view.put("website_url", client.getWebsiteUrl());
        view.put("terms_url", client.getTermsUrl());
        view.put("policy_url", client.getPolicyUrl());
        view.put("logo", client.getLogo());
        strings(view, "authentication_methods", client.getAuthenticationMethods());
        view.put("tenant", client.getTenant());
        strings(view, "redirect_uris", client.getRedirectUris());
        strings(view, "allowed_origins", client.getAllowedOrigins());
        strings(view, "logout_redirect_uris", client.getLogoutRedirectUris());
        strings(view, "scopes", client.getScopes());
        view.put("created_on", client.getCreatedOn());
        view.put("created_by", client.getCreatedBy());
        view.put("modified_on", client.getModifiedOn());
        view.put("modified_by", client.getModifiedBy());
        view.put("is_public", client.getIsPublic());
        view.put("enabled", client.getEnabled());
        // Fields beyond DocSpace's ClientResponse, only when set, so a DocSpace client's answer is unchanged.
        if (client.getResources() != null) {
            strings(view, "resources", client.getResources());
        }
        if (Boolean.TRUE.equals(client.getRequirePushedAuthorizationRequests())) {
            view.put("require_pushed_authorization_requests", true);
        }
        if (Boolean.TRUE.equals(client.getDpopBoundAccessTokens())) {
            view.put("dpop_bound_access_tokens", true);
        }
        keys(view, client);
        return view;
    }

    /**
     * RFC 7591's fields for a client that does not use a secret; absent for DocSpace's secret clients, whose answers
     * stay exactly DocSpace's.
     */
    private static void keys(ObjectNode view, ClientItem client) {
        if (client.usesSecret()) {
            return;
        }
        view.put("token_endpoint_auth_method", ClientAuthMethods.of(client));
        if (client.getJwksUri() != null) {
            view.put("jwks_uri", client.getJwksUri());
        }
        if (client.getJwks() != null) {
            try {
                view.set("jwks", Json.MAPPER.readTree(client.getJwks()));
            } catch (java.io.IOException stored) {
                throw new IllegalStateException("a stored jwks is not JSON", stored);
            }
        }
    }

    /**
     * The client's secrets by their times only, never a value or a hash: the current one (no expiry), and the
     * previous one while its overlap lasts by the clock.
     */
    public static ObjectNode secrets(ClientItem client, java.time.Instant now) {
        ObjectNode view = Json.object();
        view.put("client_id", client.getClientId());
        ArrayNode secrets = view.putArray("secrets");
        secrets.addObject().put("status", "current").put("created_on", client.getSecretCreatedOn())
                .putNull("expires_on");
        if (client.previousSecretLiveAt(now)) {
            secrets.addObject().put("status", "previous").put("created_on", client.getPreviousSecretCreatedOn())
                    .put("expires_on", dev.tokenservice.http.Timestamps.format(
                            java.time.Instant.ofEpochSecond(client.getPreviousSecretExpiresAt())));
        }
        return view;
    }

    /** ClientInfoResponse: what a consent screen may show of any client. */
    public static ObjectNode info(ClientItem client) {
        ObjectNode view = Json.object();
        view.put("name", client.getName());
        view.put("client_id", client.getClientId());
        view.put("description", client.getDescription());
        view.put("website_url", client.getWebsiteUrl());
        view.put("terms_url", client.getTermsUrl());
        view.put("policy_url", client.getPolicyUrl());
        view.put("logo", client.getLogo());
        strings(view, "authentication_methods", client.getAuthenticationMethods());
        strings(view, "scopes", client.getScopes());
        view.put("is_public", client.getIsPublic());
        view.put("created_on", client.getCreatedOn());
        view.put("created_by", client.getCreatedBy());
        view.put("modified_on", client.getModifiedOn());
        view.put("modified_by", client.getModifiedBy());
        return view;
    }

    /** PageableResponse: data, then the cursor of the last item when more follow, else nulls. */
    public static ObjectNode page(ClientRegistry.Page page, boolean infoOnly) {
        ObjectNode view = Json.object();
        ArrayNode data = view.putArray("data");
        page.clients().forEach(client -> data.add(infoOnly ? info(client) : client(client, null)));
        view.put("last_client_id", page.last().map(ClientItem::getClientId).orElse(null));
        view.put("last_created_on", page.last().map(ClientItem::getCreatedOn).orElse(null));
        view.put("limit", page.limit());
        return view;
    }

    public static ArrayNode scopes() {
        ArrayNode scopes = Json.MAPPER.createArrayNode();
        ScopeCatalog.listed().forEach(scope -> scopes.addObject()
                .put("name", scope.name()).put("group", scope.group()).put("type", scope.type()));
        return scopes;
    }

    private static void strings(ObjectNode view, String field, List<String> values) {
        if (values == null) {
            view.putNull(field);
            return;
        }
        ArrayNode array = view.putArray(field);
        values.forEach(array::add);
    }
}
