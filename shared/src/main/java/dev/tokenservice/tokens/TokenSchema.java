package dev.tokenservice.tokens;

import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondarySortKey;

import dev.tokenservice.storage.StoredTable;
import java.util.List;
import software.amazon.awssdk.enhanced.dynamodb.EnhancedType;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/**
 * The stored form of a {@link TokenItem} (tokens, codes, revocation records, housekeeping rows) in the tokens table,
 * and the table's indexes.
 * Attribute names are the snake_case names template.yaml declares for keys and indexes; the schema is static, built
 * once per container without bean reflection.
 */
public final class TokenSchema {

    public static final String TOKENS_BY_SUBJECT = "subject-shard-issued-index";
    public static final String TOKENS_BY_ORG = "org-shard-issued-index";
    public static final String PAIRS_BY_USER = "pair-user-index";
    public static final String PAIRS_BY_CLIENT = "pair-client-index";
    public static final String TOKENS_BY_EXPIRY = "expiry-index";
    public static final String TOKENS_LISTED = "listing-issued-index";

    private static final EnhancedType<List<String>> STRINGS = EnhancedType.listOf(String.class);

    public static final StaticTableSchema<TokenItem> SCHEMA = StaticTableSchema.builder(TokenItem.class)
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
            .addAttribute(String.class, a -> a.name("grant_client_id").getter(TokenItem::getGrantClientId)
                    .setter(TokenItem::setGrantClientId))
            .addAttribute(String.class, a -> a.name("details").getter(TokenItem::getDetails)
                    .setter(TokenItem::setDetails))
            .addAttribute(String.class, a -> a.name("redirect_uri").getter(TokenItem::getRedirectUri)
                    .setter(TokenItem::setRedirectUri))
            .addAttribute(String.class, a -> a.name("code_challenge").getter(TokenItem::getCodeChallenge)
                    .setter(TokenItem::setCodeChallenge))
            .addAttribute(String.class, a -> a.name("nonce").getter(TokenItem::getNonce).setter(TokenItem::setNonce))
            .addAttribute(String.class, a -> a.name("dpop_jkt").getter(TokenItem::getDpopKey).setter(TokenItem::setDpopKey))
            .addAttribute(Long.class, a -> a.name("grant_issued_at").getter(TokenItem::getGrantIssuedAt)
                    .setter(TokenItem::setGrantIssuedAt))
            .addAttribute(Long.class, a -> a.name("auth_time").getter(TokenItem::getAuthTime)
                    .setter(TokenItem::setAuthTime))
            .addAttribute(String.class, a -> a.name("user_claims").getter(TokenItem::getUserClaims)
                    .setter(TokenItem::setUserClaims))
            .addAttribute(Long.class, a -> a.name("consumed_at").getter(TokenItem::getConsumedAt)
                    .setter(TokenItem::setConsumedAt))
            .addAttribute(String.class, a -> a.name("decision").getter(TokenItem::getDecision)
                    .setter(TokenItem::setDecision))
            .addAttribute(Long.class, a -> a.name("next_poll_at").getter(TokenItem::getNextPollAt)
                    .setter(TokenItem::setNextPollAt))
            .addAttribute(Long.class, a -> a.name("poll_interval").getter(TokenItem::getPollInterval)
                    .setter(TokenItem::setPollInterval))
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

    /** The tokens table bound to this schema (its name is configured). */
    public static final StoredTable<TokenItem> TABLE = new StoredTable<>(StoredTable.Kind.TOKENS, SCHEMA);

    private TokenSchema() {
    }
}
