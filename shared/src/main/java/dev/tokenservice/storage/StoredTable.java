package dev.tokenservice.storage;

import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/**
 * One of the service's tables with the static schema of its items. Each schema lives beside its item class (in
 * clients, tokens, consents), so storage binds tables without knowing what they hold.
 */
public record StoredTable<T>(Kind kind, TableSchema<T> schema) {

    /** The three tables; their names are configured (template.yaml). */
    public enum Kind { CLIENTS, TOKENS, CONSENTS }
}
