package dev.tokenservice.storage;

import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primarySortKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondarySortKey;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.consents.ConsentItem;
import dev.tokenservice.tokens.TokenItem;
import java.util.List;
import software.amazon.awssdk.enhanced.dynamodb.EnhancedType;
import software.amazon.awssdk.enhanced.dynamodb.extensions.VersionedRecordExtension;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/**
 * Static table schemas: built once per container without bean reflection. Attribute names are the
 * snake_case names template.yaml declares for keys and indexes.
 */
public final class Schemas {

    public static final String CLIENTS_BY_CREATOR = "creator-created-index";
    public static final String CLIENTS_BY_TENANT = "tenant-created-index";
    public static final String TOKENS_BY_SUBJECT = "subject-shard-issued-index";
    public static final String TOKENS_BY_ORG = "org-shard-issued-index";
    public static final String PAIRS_BY_USER = "pair-user-index";
    public static final String PAIRS_BY_CLIENT = "pair-client-index";
    public static final String TOKENS_BY_EXPIRY = "expiry-index";
    public static final String TOKENS_LISTED = "listing-issued-index";
    public static final String CONSENTS_BY_PRINCIPAL = "principal-modified-index";

    private static final EnhancedType<List<String>> STRINGS = EnhancedType.listOf(String.class);

    public static final StaticTableSchema<ClientItem> CLIENT = StaticTableSchema.builder(ClientItem.class)
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
            .build();

    public static final StaticTableSchema<TokenItem> TOKEN = StaticTableSchema.builder(TokenItem.class)
            .newItemSupplier(TokenItem::new)
            .addAttribute(String.class, a -> a.name("token_key").getter(TokenItem::getTokenKey)
                    .setter(TokenItem::setTokenKey).tags(primaryPartitionKey()))
            .addAttribute(String.class, a -> a.name("kind").getter(TokenItem::getKind).setter(TokenItem::setKind))
            .addAttribute(String.class, a -> a.name("client_id").getter(TokenItem::getClientId)
                    .setter(TokenItem::setClientId))
            .addAttribute(String.class, a -> a.name("subject").getter(TokenItem::getSubject)
                    .setter(TokenItem::setSubject))
            .addAttribute(String.class, a -> a.name("org").getter(TokenItem::getOrg).setter(TokenItem::setOrg))
            .addAttribute(String.class, a -> a.name("scope").getter(TokenItem::getScope).setter(TokenItem::setScope))
            .addAttribute(STRINGS, a -> a.name("audience").getter(TokenItem::getAudience)
                    .setter(TokenItem::setAudience))
            .addAttribute(String.class, a -> a.name("session").getter(TokenItem::getSession)
                    .setter(TokenItem::setSession))
            .addAttribute(String.class, a -> a.name("details").getter(TokenItem::getDetails)
                    .setter(TokenItem::setDetails))
            .addAttribute(String.class, a -> a.name("redirect_uri").getter(TokenItem::getRedirectUri)
                    .setter(TokenItem::setRedirectUri))
            .addAttribute(String.class, a -> a.name("code_challenge").getter(TokenItem::getCodeChallenge)
                    .setter(TokenItem::setCodeChallenge))
            .addAttribute(String.class, a -> a.name("nonce").getter(TokenItem::getNonce).setter(TokenItem::setNonce))
            .addAttribute(Long.class, a -> a.name("grant_issued_at").getter(TokenItem::getGrantIssuedAt)
                    .setter(TokenItem::setGrantIssuedAt))
            .addAttribute(Long.class, a -> a.name("auth_time").getter(TokenItem::getAuthTime)
                    .setter(TokenItem::setAuthTime))
            .addAttribute(String.class, a -> a.name("user_claims").getter(TokenItem::getUserClaims)
                    .setter(TokenItem::setUserClaims))
            .addAttribute(Long.class, a -> a.name("consumed_at").getter(TokenItem::getConsumedAt)
                    .setter(TokenItem::setConsumedAt))
            .addAttribute(String.class, a -> a.name("sealed_value").getter(TokenItem::getSealedValue)
                    .setter(TokenItem::setSealedValue))
            .addAttribute(String.class, a -> a.name("sealed_key").getter(TokenItem::getSealedKey)
                    .setter(TokenItem::setSealedKey))
            .addAttribute(Long.class, a -> a.name("issued_at").getter(TokenItem::getIssuedAt)
                    .setter(TokenItem::setIssuedAt)
                    .tags(secondarySortKey(TOKENS_BY_SUBJECT), secondarySortKey(TOKENS_LISTED),
                            secondarySortKey(TOKENS_BY_ORG)))
            .addAttribute(Long.class, a -> a.name("expires_at").getter(TokenItem::getExpiresAt)
                    .setter(TokenItem::setExpiresAt).tags(secondarySortKey(TOKENS_BY_EXPIRY)))
            .addAttribute(Boolean.class, a -> a.name("revoked").getter(TokenItem::getRevoked)
                    .setter(TokenItem::setRevoked))
            .addAttribute(Long.class, a -> a.name("revoked_at").getter(TokenItem::getRevokedAt)
                    .setter(TokenItem::setRevokedAt))
            .addAttribute(Long.class, a -> a.name("ttl").getter(TokenItem::getTtl).setter(TokenItem::setTtl))
            .addAttribute(String.class, a -> a.name("expiry_shard").getter(TokenItem::getExpiryShard)
                    .setter(TokenItem::setExpiryShard).tags(secondaryPartitionKey(TOKENS_BY_EXPIRY)))
            .addAttribute(String.class, a -> a.name("list_shard").getter(TokenItem::getListShard)
                    .setter(TokenItem::setListShard).tags(secondaryPartitionKey(TOKENS_LISTED)))
            .addAttribute(String.class, a -> a.name("subject_shard").getter(TokenItem::getSubjectShard)
                    .setter(TokenItem::setSubjectShard).tags(secondaryPartitionKey(TOKENS_BY_SUBJECT)))
            .addAttribute(String.class, a -> a.name("org_shard").getter(TokenItem::getOrgShard)
                    .setter(TokenItem::setOrgShard).tags(secondaryPartitionKey(TOKENS_BY_ORG)))
            .addAttribute(String.class, a -> a.name("pair_shard").getter(TokenItem::getPairShard)
                    .setter(TokenItem::setPairShard)
                    .tags(secondaryPartitionKey(PAIRS_BY_USER), secondaryPartitionKey(PAIRS_BY_CLIENT)))
            .addAttribute(String.class, a -> a.name("pair_by_user").getter(TokenItem::getPairByUser)
                    .setter(TokenItem::setPairByUser).tags(secondarySortKey(PAIRS_BY_USER)))
            .addAttribute(String.class, a -> a.name("pair_by_client").getter(TokenItem::getPairByClient)
                    .setter(TokenItem::setPairByClient).tags(secondarySortKey(PAIRS_BY_CLIENT)))
            .build();

    public static final StaticTableSchema<ConsentItem> CONSENT = StaticTableSchema.builder(ConsentItem.class)
            .newItemSupplier(ConsentItem::new)
            .addAttribute(String.class, a -> a.name("client_id").getter(ConsentItem::getClientId)
                    .setter(ConsentItem::setClientId).tags(primaryPartitionKey()))
            .addAttribute(String.class, a -> a.name("principal").getter(ConsentItem::getPrincipal)
                    .setter(ConsentItem::setPrincipal).tags(primarySortKey(), secondaryPartitionKey(CONSENTS_BY_PRINCIPAL)))
            .addAttribute(String.class, a -> a.name("scopes").getter(ConsentItem::getScopes)
                    .setter(ConsentItem::setScopes))
            .addAttribute(String.class, a -> a.name("modified_at").getter(ConsentItem::getModifiedAt)
                    .setter(ConsentItem::setModifiedAt).tags(secondarySortKey(CONSENTS_BY_PRINCIPAL)))
            .build();

    private Schemas() {
    }
}
