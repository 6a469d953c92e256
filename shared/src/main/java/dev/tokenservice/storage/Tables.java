package dev.tokenservice.storage;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.config.Settings;
import dev.tokenservice.consents.ConsentItem;
import dev.tokenservice.tokens.TokenItem;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.extensions.VersionedRecordExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The service's tables, bound once to their static schemas and configured names. */
public final class Tables {

    private final DynamoDbClient dynamoDb;
    private final DynamoDbEnhancedClient enhanced;
    private final DynamoDbTable<ClientItem> clients;
    private final DynamoDbTable<TokenItem> tokens;
    private final DynamoDbTable<ConsentItem> consents;

    public Tables(DynamoDbClient dynamoDb, Settings settings) {
        this.dynamoDb = dynamoDb;
        this.enhanced = DynamoDbEnhancedClient.builder()
                .dynamoDbClient(dynamoDb)
                .extensions(VersionedRecordExtension.builder().build())
                .build();
        this.clients = enhanced.table(settings.clientsTable(), Schemas.CLIENT);
        this.tokens = enhanced.table(settings.tokensTable(), Schemas.TOKEN);
        this.consents = enhanced.table(settings.consentsTable(), Schemas.CONSENT);
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    public DynamoDbEnhancedClient enhanced() {
        return enhanced;
    }

    public DynamoDbTable<ClientItem> clients() {
        return clients;
    }

    public DynamoDbTable<TokenItem> tokens() {
        return tokens;
    }

    public DynamoDbTable<ConsentItem> consents() {
        return consents;
    }

    public String consentsTableName() {
        return consents.tableName();
    }
}
