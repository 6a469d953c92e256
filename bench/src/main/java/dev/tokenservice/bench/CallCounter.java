package dev.tokenservice.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;

/**
 * Counts every AWS SDK call in the JVM (registered as a global interceptor through the classpath), with
 * start and end times, so a benchmark can tell how many calls a request made and how many ran in sequence.
 * When asked to, it also has DynamoDB report the capacity units each call consumed, the table's and its
 * indexes' (DynamoDB Local sizes them by DynamoDB's rules: 1 KB per written item and index entry, 4 KB reads).
 */
public final class CallCounter implements ExecutionInterceptor {

    private static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Long> STARTED = new ThreadLocal<>();
    private static final ThreadLocal<Integer> KEYS_READ = new ThreadLocal<>();
    private static volatile boolean measureCapacity;
    private static final java.util.concurrent.atomic.AtomicLong ITEMS_READ = new java.util.concurrent.atomic.AtomicLong();

    /** Items DynamoDB read (a Query's ScannedCount, a batch's items found, a GetItem's one) since the last call. */
    public static long drainItemsRead() {
        return ITEMS_READ.getAndSet(0);
    }

    private static long itemsRead(SdkResponse response) {
        if (response instanceof QueryResponse query) {
            return query.scannedCount() == null ? 0 : query.scannedCount();
        }
        if (response instanceof BatchGetItemResponse batch) {
            return batch.responses().values().stream().mapToLong(java.util.List::size).sum();
        }
        return response instanceof GetItemResponse get && get.hasItem() ? 1 : 0;
    }

    /** Off while timing: asking for consumed capacity changes the requests a little. */
    public static void measureCapacity(boolean on) {
        measureCapacity = on;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (!measureCapacity) {
            return request;
        }
        // The calls this service makes on its token and introspection paths.
        if (request instanceof GetItemRequest get) {
            return get.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        if (request instanceof PutItemRequest put) {
            return put.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        if (request instanceof BatchGetItemRequest batch) {
            return batch.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        if (request instanceof QueryRequest query) {
            return query.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        if (request instanceof UpdateItemRequest update) {
            return update.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        if (request instanceof TransactWriteItemsRequest transaction) {
            return transaction.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        if (request instanceof BatchWriteItemRequest batch) {
            return batch.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build();
        }
        return request;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        STARTED.set(System.nanoTime());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        KEYS_READ.set(request instanceof GetItemRequest ? 1 : request instanceof BatchGetItemRequest batch
                ? batch.requestItems().values().stream().mapToInt(table -> table.keys().size()).sum() : 0);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        ITEMS_READ.addAndGet(itemsRead(context.response()));
        record(attributes, capacityUnits(context.response()), unitsByTarget(context.response()));
    }

    /** Consumed capacity units; a strongly consistent read is counted at least 1 unit per key asked for. */
    private static double capacityUnits(SdkResponse response) {
        List<ConsumedCapacity> consumed = consumed(response);
        double units = consumed.stream().mapToDouble(c -> c.capacityUnits() == null ? 0 : c.capacityUnits()).sum();
        Integer keys = KEYS_READ.get();
        return keys == null ? units : Math.max(units, keys);
    }

    private static List<ConsumedCapacity> consumed(SdkResponse response) {
        return response instanceof GetItemResponse get && get.consumedCapacity() != null
                ? List.of(get.consumedCapacity())
                : response instanceof PutItemResponse put && put.consumedCapacity() != null ? List.of(put.consumedCapacity())
                : response instanceof UpdateItemResponse update && update.consumedCapacity() != null
                        ? List.of(update.consumedCapacity())
                : response instanceof QueryResponse query && query.consumedCapacity() != null
                        ? List.of(query.consumedCapacity())
                : response instanceof BatchGetItemResponse batch ? batch.consumedCapacity()
                : response instanceof TransactWriteItemsResponse transaction ? transaction.consumedCapacity()
                : response instanceof BatchWriteItemResponse batch ? batch.consumedCapacity() : List.of();
    }

    /**
     * Where a call's capacity units went: "table" or "table/index" to units, as DynamoDB reports them with
     * ReturnConsumedCapacity=INDEXES (each index entry written or read is its own line).
     */
    public static java.util.Map<String, Double> unitsByTarget(SdkResponse response) {
        java.util.Map<String, Double> targets = new java.util.TreeMap<>();
        for (ConsumedCapacity c : consumed(response)) {
            if (c.table() != null && c.table().capacityUnits() != null) {
                targets.merge(c.tableName(), c.table().capacityUnits(), Double::sum);
            }
            if (c.globalSecondaryIndexes() != null) {
                c.globalSecondaryIndexes().forEach((index, capacity) -> targets.merge(c.tableName() + "/" + index,
                        capacity.capacityUnits() == null ? 0 : capacity.capacityUnits(), Double::sum));
            }
        }
        return targets;
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        record(attributes, 0, java.util.Map.of());
    }

    private static void record(ExecutionAttributes attributes, double capacityUnits,
            java.util.Map<String, Double> targets) {
        Long start = STARTED.get();
        CALLS.add(new Call(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                start == null ? System.nanoTime() : start, System.nanoTime(), capacityUnits, targets));
        KEYS_READ.remove();
    }

    public static List<Call> drain() {
        List<Call> calls = List.copyOf(CALLS);
        CALLS.clear();
        return calls;
    }

    /** The longest chain of calls that did not overlap: the round trips a caller waits for one after another. */
    public static int sequentialRoundTrips(List<Call> calls) {
        List<Call> sorted = calls.stream().sorted((a, b) -> Long.compare(a.startNanos(), b.startNanos())).toList();
        int chain = 0;
        long lastEnd = Long.MIN_VALUE;
        for (Call call : sorted) {
            if (call.startNanos() >= lastEnd) {
                chain++;
                lastEnd = call.endNanos();
            } else {
                lastEnd = Math.max(lastEnd, call.endNanos());
            }
        }
        return chain;
    }

    /** capacityUnits: DynamoDB's consumed capacity when measured, else 0; targets: the same by table and index. */
    public record Call(String operation, long startNanos, long endNanos, double capacityUnits,
            java.util.Map<String, Double> targets) {
    }
}
