package dev.tokenservice.clients;

import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondarySortKey;

import dev.tokenservice.storage.StoredTable;
import java.util.List;
import software.amazon.awssdk.enhanced.dynamodb.EnhancedType;
import software.amazon.awssdk.enhanced.dynamodb.extensions.VersionedRecordExtension;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/**
 * The stored form of a {@link ClientItem} in the clients table, and the table's indexes.
 * Attribute names are the snake_case names template.yaml declares for keys and indexes; the schema is static, built
 * once per container without bean reflection.
 */
public final class ClientSchema {

    public static final String CLIENTS_BY_CREATOR = "creator-created-index";
    public static final String CLIENTS_BY_TENANT = "tenant-created-index";

    private static final EnhancedType<List<String>> STRINGS = EnhancedType.listOf(String.class);

    public static final StaticTableSchema<ClientItem> SCHEMA = StaticTableSchema.builder(ClientItem.class)
            .newItemSupplier(ClientItem::new)
            .addAttribute(String.class, a -> a.name("client_id").getter(ClientItem::getClientId)
                    .setter(ClientItem::setClientId).tags(primaryPartitionKey()))
            .addAttribute(String.class, a -> a.name("secret_hash").getter(ClientItem::getSecretHash)
                    .setter(ClientItem::setSecretHash))
            .addAttribute(String.class, a -> a.name("name").getter(ClientItem::getName).setter(ClientItem::setName))
            .addAttribute(String.class, a -> a.name("description").getter(ClientItem::getDescription)
                    .setter(ClientItem::setDescription))
            .addAttribute(String.class, a -> a.name("logo").getter(ClientItem::getLogo).setter(ClientItem::setLogo))
            .addAttribute(String.class, a -> a.name("website_url").getter(ClientItem::getWebsiteUrl)
                    .setter(ClientItem::setWebsiteUrl))
            .addAttribute(String.class, a -> a.name("terms_url").getter(ClientItem::getTermsUrl)
                    .setter(ClientItem::setTermsUrl))
            .addAttribute(String.class, a -> a.name("policy_url").getter(ClientItem::getPolicyUrl)
                    .setter(ClientItem::setPolicyUrl))
            .addAttribute(STRINGS, a -> a.name("redirect_uris").getter(ClientItem::getRedirectUris)
                    .setter(ClientItem::setRedirectUris))
            .addAttribute(STRINGS, a -> a.name("allowed_origins").getter(ClientItem::getAllowedOrigins)
                    .setter(ClientItem::setAllowedOrigins))
            .addAttribute(STRINGS, a -> a.name("logout_redirect_uris").getter(ClientItem::getLogoutRedirectUris)
                    .setter(ClientItem::setLogoutRedirectUris))
            .addAttribute(STRINGS, a -> a.name("scopes").getter(ClientItem::getScopes).setter(ClientItem::setScopes))
            .addAttribute(STRINGS, a -> a.name("authentication_methods")
                    .getter(ClientItem::getAuthenticationMethods).setter(ClientItem::setAuthenticationMethods))
            .addAttribute(STRINGS, a -> a.name("grant_types").getter(ClientItem::getGrantTypes)
                    .setter(ClientItem::setGrantTypes))
            .addAttribute(Long.class, a -> a.name("tenant").getter(ClientItem::getTenant)
                    .setter(ClientItem::setTenant).tags(secondaryPartitionKey(CLIENTS_BY_TENANT)))
            .addAttribute(Boolean.class, a -> a.name("is_public").getter(ClientItem::getIsPublic)
                    .setter(ClientItem::setIsPublic))
            .addAttribute(Boolean.class, a -> a.name("enabled").getter(ClientItem::getEnabled)
                    .setter(ClientItem::setEnabled))
            .addAttribute(String.class, a -> a.name("created_on").getter(ClientItem::getCreatedOn)
                    .setter(ClientItem::setCreatedOn)
                    .tags(secondarySortKey(CLIENTS_BY_CREATOR), secondarySortKey(CLIENTS_BY_TENANT)))
            .addAttribute(String.class, a -> a.name("created_by").getter(ClientItem::getCreatedBy)
                    .setter(ClientItem::setCreatedBy).tags(secondaryPartitionKey(CLIENTS_BY_CREATOR)))
            .addAttribute(String.class, a -> a.name("modified_on").getter(ClientItem::getModifiedOn)
                    .setter(ClientItem::setModifiedOn))
            .addAttribute(String.class, a -> a.name("modified_by").getter(ClientItem::getModifiedBy)
                    .setter(ClientItem::setModifiedBy))
            .addAttribute(Long.class, a -> a.name("version").getter(ClientItem::getVersion)
                    .setter(ClientItem::setVersion).tags(VersionedRecordExtension.AttributeTags.versionAttribute()))
            .addAttribute(STRINGS, a -> a.name("resources").getter(ClientItem::getResources)
                    .setter(ClientItem::setResources))
            .addAttribute(Boolean.class, a -> a.name("require_pushed_authorization_requests")
                    .getter(ClientItem::getRequirePushedAuthorizationRequests)
                    .setter(ClientItem::setRequirePushedAuthorizationRequests))
            .addAttribute(Boolean.class, a -> a.name("dpop_bound_access_tokens")
                    .getter(ClientItem::getDpopBoundAccessTokens)
                    .setter(ClientItem::setDpopBoundAccessTokens))
            .addAttribute(String.class, a -> a.name("jwks").getter(ClientItem::getJwks).setter(ClientItem::setJwks))
            .addAttribute(String.class, a -> a.name("jwks_uri").getter(ClientItem::getJwksUri)
                    .setter(ClientItem::setJwksUri))
            .addAttribute(String.class, a -> a.name("secret_created_on").getter(ClientItem::getSecretCreatedOn)
                    .setter(ClientItem::setSecretCreatedOn))
            .addAttribute(String.class, a -> a.name("previous_secret_hash").getter(ClientItem::getPreviousSecretHash)
                    .setter(ClientItem::setPreviousSecretHash))
            .addAttribute(String.class, a -> a.name("previous_secret_created_on")
                    .getter(ClientItem::getPreviousSecretCreatedOn).setter(ClientItem::setPreviousSecretCreatedOn))
            .addAttribute(Long.class, a -> a.name("previous_secret_expires_at")
                    .getter(ClientItem::getPreviousSecretExpiresAt).setter(ClientItem::setPreviousSecretExpiresAt))
            .build();

    /** The clients table bound to this schema (its name is configured). */
    public static final StoredTable<ClientItem> TABLE = new StoredTable<>(StoredTable.Kind.CLIENTS, SCHEMA);

    private ClientSchema() {
    }
}
