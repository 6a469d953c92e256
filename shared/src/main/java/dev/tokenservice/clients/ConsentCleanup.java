package dev.tokenservice.clients;

import dev.tokenservice.storage.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Removes the consents of a deleted client: a query on the consents table's partition (client_id), then
 * batch deletes of 25, retrying what DynamoDB leaves unprocessed. Tokens need no such sweep: the
 * client's revocation record already stopped them.
 */
public final class ConsentCleanup {

    private static final int BATCH = 25;
    private static final int MAX_ROUNDS = 8;

    private final Tables tables;

    public ConsentCleanup(Tables tables) {
        this.tables = tables;
    }

    /** Removes every consent naming the client; returns how many there were. */
    public int deleteConsentsOf(String clientId) {
        String table = tables.consentsTableName();
        List<WriteRequest> deletes = new ArrayList<>();
        tables.dynamoDb().queryPaginator(QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("client_id = :client")
                        .expressionAttributeValues(Map.of(":client", AttributeValue.fromS(clientId)))
                        .projectionExpression("client_id, principal")
                        .consistentRead(true)
                        .build())
                .items()
                .forEach(key -> deletes.add(WriteRequest.builder()
                        .deleteRequest(DeleteRequest.builder().key(key).build()).build()));
        for (int from = 0; from < deletes.size(); from += BATCH) {
            writeAll(table, deletes.subList(from, Math.min(from + BATCH, deletes.size())));
        }
        return deletes.size();
    }

    private void writeAll(String table, List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        for (int round = 0; round < MAX_ROUNDS && !pending.isEmpty(); round++) {
            if (round > 0) {
                pause(round);
            }
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = tables.dynamoDb().batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException("consents of a deleted client were left after " + MAX_ROUNDS + " rounds");
        }
    }

    private static void pause(int round) {
        try {
            Thread.sleep(Math.min(1000, 25L << round));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
