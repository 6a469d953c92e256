package dev.tokenservice.storage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchGetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchGetResultPage;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.ReadBatch;

/**
 * Rows of one or more tables read together in one strongly consistent BatchGetItem: rows that decide one
 * answer cost one request and one round trip, not one each. Keys DynamoDB leaves unprocessed are asked for
 * again by the SDK's paging, so every key is either found or certainly absent.
 */
public final class BatchLookup {

    private final Tables tables;
    private final List<ReadBatch> batches = new ArrayList<>();
    private List<BatchGetResultPage> pages;

    public BatchLookup(Tables tables) {
        this.tables = tables;
    }

    /** Adds rows of a table by partition key; nothing is read until the first {@link #rows}. */
    public <T> BatchLookup add(DynamoDbTable<T> table, Class<T> type, Collection<String> partitionKeys) {
        if (pages != null) {
            throw new IllegalStateException("the lookup has already been read");
        }
        if (partitionKeys.isEmpty()) {
            return this;
        }
        ReadBatch.Builder<T> batch = ReadBatch.builder(type).mappedTableResource(table);
        for (String key : partitionKeys) {
            batch.addGetItem(GetItemEnhancedRequest.builder()
                    .key(Key.builder().partitionValue(key).build())
                    .consistentRead(true)
                    .build());
        }
        batches.add(batch.build());
        return this;
    }

    /** The rows found in one table, by partition key; reads everything added (once) on first use. */
    public <T> Map<String, T> rows(DynamoDbTable<T> table, Function<T, String> partitionKey) {
        if (pages == null) {
            pages = batches.isEmpty() ? List.of() : tables.enhanced()
                    .batchGetItem(BatchGetItemEnhancedRequest.builder().readBatches(batches).build())
                    .stream().toList();
        }
        Map<String, T> found = new HashMap<>();
        for (BatchGetResultPage page : pages) {
            page.resultsForTable(table).forEach(row -> found.put(partitionKey.apply(row), row));
        }
        return found;
    }
}
