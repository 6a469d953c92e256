package dev.tokenservice.consents;

import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primarySortKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondaryPartitionKey;
import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.secondarySortKey;

import dev.tokenservice.storage.StoredTable;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/**
 * The stored form of a {@link ConsentItem} in the consents table, and its index by principal.
 * Attribute names are the snake_case names template.yaml declares for keys and indexes; the schema is static, built
 * once per container without bean reflection.
 */
public final class ConsentSchema {

    public static final String CONSENTS_BY_PRINCIPAL = "principal-modified-index";

    public static final StaticTableSchema<ConsentItem> SCHEMA = StaticTableSchema.builder(ConsentItem.class)
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

    /** The consents table bound to this schema (its name is configured). */
    public static final StoredTable<ConsentItem> TABLE = new StoredTable<>(StoredTable.Kind.CONSENTS, SCHEMA);

    private ConsentSchema() {
    }
}
