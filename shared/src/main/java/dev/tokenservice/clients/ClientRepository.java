package dev.tokenservice.clients;

import dev.tokenservice.caching.ClientCache;
import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;

/**
 * Reads and writes of the clients table. Every read is strongly consistent, except that authentication may be
 * answered from the container's {@link ClientCache} within its bound.
 */
public final class ClientRepository {

    private final DynamoDbTable<ClientItem> table;
    private final ClientCache<ClientItem, ?> cache;

    /** Always consistent: no cache. */
    public ClientRepository(Tables tables) {
        this(tables, ClientCache.alwaysConsistent());
    }

    public ClientRepository(Tables tables, ClientCache<ClientItem, ?> cache) {
        this.table = tables.of(ClientSchema.TABLE);
        this.cache = cache;
    }

    /** The client's row, read consistently (what its owner sees and changes, and every flow but authentication). */
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

    /**
     * The client's row for authenticating a request: from the container's cache when the cached row would grant
     * the request (the predicate: e.g. the presented secret matches and the client is enabled), otherwise read
     * consistently, within the cache's bound on re-reads.
     */
    public AuthenticationRow forAuthentication(String clientId, Predicate<ClientItem> grants) {
        return new AuthenticationRow(clientId, couldExist(clientId) ? cache.row(clientId, grants) : null);
    }

    /** A client's row for one authentication: cached, or to be read alone or together with other rows. */
    public final class AuthenticationRow {

        private final String clientId;
        private final ClientCache.Answer<ClientItem> answer;

        private AuthenticationRow(String clientId, ClientCache.Answer<ClientItem> answer) {
            this.clientId = clientId;
            this.answer = answer;
        }

        /** Adds the row to the lookup when it must be read. */
        public BatchLookup addTo(BatchLookup lookup) {
            return answer != null && answer.readDue() ? ClientRepository.this.addTo(lookup, clientId) : lookup;
        }

        /** The row: cached, or as read by the lookup it was added to. */
        public Optional<ClientItem> from(BatchLookup lookup) {
            if (answer == null || !answer.readDue()) {
                return answer == null ? Optional.empty() : answer.cached();
            }
            Optional<ClientItem> row = ClientRepository.this.from(lookup, clientId);
            cache.rowRead(clientId, row, answer);
            return row;
        }

        /** The row: cached, or read alone now. */
        public Optional<ClientItem> read() {
            if (answer == null || !answer.readDue()) {
                return answer == null ? Optional.empty() : answer.cached();
            }
            Optional<ClientItem> row = find(clientId);
            cache.rowRead(clientId, row, answer);
            return row;
        }
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
