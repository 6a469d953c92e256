package dev.tokenservice.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;

/**
 * Failures injected into a real SDK client (an execution interceptor), so that the code under test sees
 * exactly what the SDK throws when DynamoDB or KMS throttles, fails or cannot be reached, while every call
 * that is not failed reaches the real server (DynamoDB Local, moto).
 */
public final class Faults implements ExecutionInterceptor {

    private final Map<String, List<Supplier<? extends RuntimeException>>> planned = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> keysRead = new ConcurrentHashMap<>();
    private final AtomicInteger partialBatches = new AtomicInteger();
    private final ThreadLocal<List<WriteRequest>> heldBack = new ThreadLocal<>();
    private final ThreadLocal<String> heldBackTable = new ThreadLocal<>();

    /** The next {@code times} calls of the operation (e.g. "PutItem", "Sign") fail with the given exception. */
    public synchronized Faults failNext(String operation, int times, Supplier<? extends RuntimeException> failure) {
        List<Supplier<? extends RuntimeException>> queue = planned.computeIfAbsent(operation, o -> new ArrayList<>());
        for (int i = 0; i < times; i++) {
            queue.add(failure);
        }
        return this;
    }

    /** Every call of the operation fails from now on. */
    public Faults failAlways(String operation, Supplier<? extends RuntimeException> failure) {
        return failNext(operation, Integer.MAX_VALUE / 2, failure);
    }

    public synchronized Faults heal() {
        planned.clear();
        partialBatches.set(0);
        return this;
    }

    /**
     * The next {@code batches} BatchWriteItem calls process only their first half and return the rest as
     * UnprocessedItems, as DynamoDB does when a partition is hot.
     */
    public Faults leaveHalfUnprocessed(int batches) {
        partialBatches.set(batches);
        return this;
    }

    /** How many calls of the operation were attempted, failed ones included. */
    public int calls(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** How many items were asked for by key (GetItem: one, BatchGetItem: each key) from the table: read units. */
    public int keysRead(String table) {
        AtomicInteger count = keysRead.get(table);
        return count == null ? 0 : count.get();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        calls.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
        if (context.request() instanceof GetItemRequest get) {
            keysRead.computeIfAbsent(get.tableName(), t -> new AtomicInteger()).incrementAndGet();
        } else if (context.request() instanceof BatchGetItemRequest batch) {
            batch.requestItems().forEach((table, keys) ->
                    keysRead.computeIfAbsent(table, t -> new AtomicInteger()).addAndGet(keys.keys().size()));
        }
        Supplier<? extends RuntimeException> failure = null;
        synchronized (this) {
            List<Supplier<? extends RuntimeException>> queue = planned.get(operation);
            if (queue != null && !queue.isEmpty()) {
                failure = queue.remove(0);
            }
        }
        if (failure != null) {
            throw failure.get();
        }
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (context.request() instanceof BatchWriteItemRequest batch && partialBatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            Map<String, List<WriteRequest>> sent = new LinkedHashMap<>();
            List<WriteRequest> held = new ArrayList<>();
            batch.requestItems().forEach((table, writes) -> {
                int keep = Math.max(1, writes.size() / 2);
                sent.put(table, writes.subList(0, keep));
                held.addAll(writes.subList(keep, writes.size()));
                heldBackTable.set(table);
            });
            heldBack.set(held);
            return batch.toBuilder().requestItems(sent).build();
        }
        heldBack.remove();
        return context.request();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        List<WriteRequest> held = heldBack.get();
        if (context.response() instanceof BatchWriteItemResponse response && held != null && !held.isEmpty()) {
            heldBack.remove();
            return response.toBuilder().unprocessedItems(Map.of(heldBackTable.get(), held)).build();
        }
        return context.response();
    }

    /** DynamoDB's answer when a table or partition is over its throughput. */
    public static RuntimeException dynamoDbThrottled() {
        return ProvisionedThroughputExceededException.builder().statusCode(400)
                .awsErrorDetails(details("DynamoDb", "ProvisionedThroughputExceededException", 400)).build();
    }

    /** DynamoDB's answer when an on-demand table is throttled or the account's request rate is exceeded. */
    public static RuntimeException dynamoDbThrottling() {
        return DynamoDbException.builder().statusCode(400)
                .awsErrorDetails(details("DynamoDb", "ThrottlingException", 400)).build();
    }

    /** DynamoDB unavailable (HTTP 503). */
    public static RuntimeException dynamoDbUnavailable() {
        return DynamoDbException.builder().statusCode(503)
                .awsErrorDetails(details("DynamoDb", "ServiceUnavailable", 503)).build();
    }

    /** KMS over its request quota. */
    public static RuntimeException kmsThrottled() {
        return KmsException.builder().statusCode(400)
                .awsErrorDetails(details("Kms", "ThrottlingException", 400)).build();
    }

    /** KMS's own internal failure (HTTP 500). */
    public static RuntimeException kmsInternal() {
        return KmsInternalException.builder().statusCode(500)
                .awsErrorDetails(details("Kms", "KMSInternalException", 500)).build();
    }

    /** A service that cannot be reached at all (connection refused, timeout). */
    public static RuntimeException unreachable() {
        return SdkClientException.create("Unable to execute HTTP request: Connect to 127.0.0.1 failed");
    }

    private static AwsErrorDetails details(String service, String code, int status) {
        return AwsErrorDetails.builder().serviceName(service).errorCode(code).errorMessage("injected by the test")
                .sdkHttpResponse(software.amazon.awssdk.http.SdkHttpResponse.builder().statusCode(status).build())
                .build();
    }
}
