package dev.tokenservice.clients;

import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;

/** Reads and writes of the clients table; every read that decides access is strongly consistent. */
public final class ClientRepository {

    private final DynamoDbTable<ClientItem> table;

    public ClientRepository(Tables tables) {
        this.table = tables.clients();
    }

    public Optional<ClientItem> find(String clientId) {
        if (!couldExist(clientId)) {
            return Optional.empty();
        }
        return Optional.ofNullable(table.getItem(GetItemEnhancedRequest.builder()
                .key(Key.builder().partitionValue(clientId).build())
                .consistentRead(true)
                .build()));
    }

    /** Adds the client's row to a lookup that reads it together with other rows (consistently). */
    public BatchLookup addTo(BatchLookup lookup, String clientId) {
        return lookup.add(table, ClientItem.class, couldExist(clientId) ? List.of(clientId) : List.of());
    }

    /** The client's row as read by a lookup it was added to. */
    public Optional<ClientItem> from(BatchLookup lookup, String clientId) {
        return couldExist(clientId)
                ? Optional.ofNullable(lookup.rows(table, ClientItem::getClientId).get(clientId)) : Optional.empty();
    }

    private static boolean couldExist(String clientId) {
        return clientId != null && !clientId.isEmpty() && clientId.length() <= 128;
    }

    /** Stores a new client; an existing id is never overwritten. */
    public void create(ClientItem item) {
        table.putItem(PutItemEnhancedRequest.builder(ClientItem.class)
                .item(item)
                .conditionExpression(Expression.builder().expression("attribute_not_exists(client_id)").build())
                .build());
    }
}
