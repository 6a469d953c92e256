package dev.tokenservice.storage;

import dev.tokenservice.config.Settings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.extensions.VersionedRecordExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The service's tables, each bound once to its static schema and configured name. */
public final class Tables {

    private final DynamoDbClient dynamoDb;
    private final DynamoDbEnhancedClient enhanced;
    private final Map<StoredTable.Kind, String> names;
    private final Map<StoredTable<?>, DynamoDbTable<?>> bound = new ConcurrentHashMap<>();

    public Tables(DynamoDbClient dynamoDb, Settings settings) {
        this.dynamoDb = dynamoDb;
        this.enhanced = DynamoDbEnhancedClient.builder()
                .dynamoDbClient(dynamoDb)
                .extensions(VersionedRecordExtension.builder().build())
                .build();
        this.names = Map.of(StoredTable.Kind.CLIENTS, settings.clientsTable(),
                StoredTable.Kind.TOKENS, settings.tokensTable(),
                StoredTable.Kind.CONSENTS, settings.consentsTable());
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    public DynamoDbEnhancedClient enhanced() {
        return enhanced;
    }

    /** The table, bound to its schema on first use in this container. */
    @SuppressWarnings("unchecked")
    public <T> DynamoDbTable<T> of(StoredTable<T> table) {
        return (DynamoDbTable<T>) bound.computeIfAbsent(table, key -> enhanced.table(names.get(key.kind()), key.schema()));
    }

    public String consentsTableName() {
        return names.get(StoredTable.Kind.CONSENTS);
    }
}
