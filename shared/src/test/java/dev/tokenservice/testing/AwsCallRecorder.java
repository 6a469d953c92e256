package dev.tokenservice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.concurrent.SideBySide;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Every AWS SDK client built in a test JVM passes through this interceptor (registered globally in
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors} of the shared test jar), so it sees each
 * request the service's code sends to DynamoDB Local, moto or anything else, and holds it to two things:
 * <ul>
 * <li>the storage rules DynamoDB Local cannot tell apart: the service never Scans, and every read by key
 * (GetItem, BatchGetItem) and every Query on a base table is strongly consistent. A broken rule throws, is
 * kept in {@link #violations()} and fails the running test ({@link RequestLevelRules});</li>
 * <li>least privilege: each call is recorded as (function, IAM action, resource) in
 * {@code target/aws-calls/<pid>.tsv}, the function being the one of template.yaml whose handler class is
 * on the stack of the thread serving the request (its constructor included: that is the init phase). The
 * IAM test in the local module compares the records with each function's policy.</li>
 * </ul>
 * Index queries are allowed eventually consistent because a global secondary index cannot be read any other
 * way, and none decides access: listing indexes (creator-/tenant-created, client-/subject-/listing-issued,
 * principal-modified) only choose which rows a page shows, each token's liveness then decided by the
 * consistent revocation reads; expiry-index only proposes rows to the cleanup, which re-reads each one
 * consistently before deleting it. Calls made by test code itself (fixtures creating tables, a test
 * inspecting a table) are neither checked nor attributed: the rules are about what the service sends.
 */
public final class AwsCallRecorder implements ExecutionInterceptor {

    private static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
    private static final Set<String> RECORDED = ConcurrentHashMap.newKeySet();
    private static final Map<String, Boolean> TEST_CODE = new ConcurrentHashMap<>();
    private static volatile Map<String, String> functionsByHandlerClass;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        StackTraceElement[] own = new Throwable().getStackTrace();
        if (!sentByServiceCode(own)) {
            return;
        }
        Thread requestThread = SideBySide.requestThread();
        StackTraceElement[] stack = requestThread == Thread.currentThread() ? own : requestThread.getStackTrace();
        String function = functionOnStack(stack);
        if (function != null) {
            for (String[] actionAndResource : iamActions(service, operation, request)) {
                record(function, actionAndResource[0], actionAndResource[1]);
            }
        }
        String broken = brokenRule(operation, request);
        if (broken != null) {
            String violation = broken + (function != null ? " (in " + function + ")" : "") + " at " + firstServiceFrame(stack);
            VIOLATIONS.add(violation);
            record("-", "VIOLATION", violation);
            throw new IllegalStateException("request-level storage rule broken: " + violation);
        }
    }

    /**
     * Says which template resource a physical name stands for (a fresh table, a key made in moto), so the IAM
     * test can hold each call's target to the resources its function's policy names.
     */
    public static void nameResource(String physicalName, String logicalId) {
        record(NAME, physicalName, logicalId);
    }

    /** The first column of a record that names a resource rather than a call. */
    public static final String NAME = "=";

    /** Every broken rule seen in this JVM, oldest first. */
    public static List<String> violations() {
        return List.copyOf(VIOLATIONS);
    }

    /** The rule a DynamoDB request breaks, or null. */
    static String brokenRule(String operation, SdkRequest request) {
        if ("Scan".equals(operation)) {
            return "Scan of " + request.getValueForField("TableName", String.class).orElse("?");
        }
        if (request instanceof GetItemRequest get && !Boolean.TRUE.equals(get.consistentRead())) {
            return "GetItem on " + get.tableName() + " without ConsistentRead=true";
        }
        if (request instanceof BatchGetItemRequest batch) {
            for (var entry : batch.requestItems().entrySet()) {
                if (!Boolean.TRUE.equals(entry.getValue().consistentRead())) {
                    return "BatchGetItem on " + entry.getKey() + " without ConsistentRead=true";
                }
            }
        }
        if (request instanceof QueryRequest query && query.indexName() == null
                && !Boolean.TRUE.equals(query.consistentRead())) {
            return "Query on the base table " + query.tableName() + " without ConsistentRead=true";
        }
        return null;
    }

    /** The IAM actions (and the resource each targets) one SDK call needs, as IAM evaluates it. */
    static List<String[]> iamActions(String service, String operation, SdkRequest request) {
        List<String[]> actions = new ArrayList<>();
        String prefix = service.toLowerCase(java.util.Locale.ROOT);
        if (request instanceof BatchGetItemRequest batch) {
            batch.requestItems().keySet().forEach(table -> actions.add(new String[] {"dynamodb:BatchGetItem", table}));
        } else if (request instanceof BatchWriteItemRequest batch) {
            batch.requestItems().keySet().forEach(table -> actions.add(new String[] {"dynamodb:BatchWriteItem", table}));
        } else if (request instanceof TransactWriteItemsRequest transaction) {
            // IAM has no TransactWriteItems action: each item needs the action of its own kind on its table.
            for (TransactWriteItem item : transaction.transactItems()) {
                if (item.put() != null) {
                    actions.add(new String[] {"dynamodb:PutItem", item.put().tableName()});
                } else if (item.update() != null) {
                    actions.add(new String[] {"dynamodb:UpdateItem", item.update().tableName()});
                } else if (item.delete() != null) {
                    actions.add(new String[] {"dynamodb:DeleteItem", item.delete().tableName()});
                } else if (item.conditionCheck() != null) {
                    actions.add(new String[] {"dynamodb:ConditionCheckItem", item.conditionCheck().tableName()});
                }
            }
        } else if (request instanceof TransactGetItemsRequest transaction) {
            transaction.transactItems().forEach(item -> actions.add(new String[] {"dynamodb:GetItem", item.get().tableName()}));
        } else if (request instanceof QueryRequest query && query.indexName() != null) {
            actions.add(new String[] {"dynamodb:Query", query.tableName() + "/index/" + query.indexName()});
        } else {
            String resource = request.getValueForField("TableName", String.class)
                    .or(() -> request.getValueForField("KeyId", String.class))
                    .or(() -> request.getValueForField("SecretId", String.class))
                    .orElse("*");
            actions.add(new String[] {prefix + ":" + operation, resource});
        }
        return actions;
    }

    private static void record(String function, String action, String resource) {
        String line = function + "\t" + action + "\t" + resource;
        if (!RECORDED.add(line)) {
            return;
        }
        Path file = recordsFolder().resolve(ProcessHandle.current().pid() + ".tsv");
        try {
            Files.createDirectories(file.getParent());
            synchronized (AwsCallRecorder.class) {
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record an AWS call in " + file, e);
        }
    }

    /** Where this JVM's records go: target/aws-calls of the module the tests (or the runner they started) run in. */
    public static Path recordsFolder() {
        return Path.of(System.getProperty("aws.calls.dir", "target/aws-calls")).toAbsolutePath();
    }

    /** The template function whose handler class is innermost on the stack, or null outside any handler. */
    private static String functionOnStack(StackTraceElement[] stack) {
        Map<String, String> functions = functionsByHandlerClass();
        for (StackTraceElement frame : stack) {
            String function = functions.get(frame.getClassName());
            if (function != null) {
                return function;
            }
        }
        return null;
    }

    /** Whether the innermost project frame is the service's own code (not a test or a fixture). */
    private static boolean sentByServiceCode(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String name = frame.getClassName();
            if (name.startsWith("dev.tokenservice.") && !name.equals(AwsCallRecorder.class.getName())
                    && !name.startsWith(SideBySide.class.getName())) {
                return !TEST_CODE.computeIfAbsent(name, AwsCallRecorder::isTestCode);
            }
        }
        return false;
    }

    private static String firstServiceFrame(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith("dev.tokenservice.") && !frame.getClassName().startsWith(
                    AwsCallRecorder.class.getName()) && !TEST_CODE.computeIfAbsent(frame.getClassName(), AwsCallRecorder::isTestCode)) {
                return frame.toString();
            }
        }
        return "?";
    }

    private static boolean isTestCode(String frameClass) {
        int lambda = frameClass.indexOf("$$Lambda");
        String className = lambda < 0 ? frameClass : frameClass.substring(0, lambda);
        try {
            Class<?> type = Class.forName(className, false, AwsCallRecorder.class.getClassLoader());
            var source = type.getProtectionDomain().getCodeSource();
            URL location = source == null ? null : source.getLocation();
            String where = location == null ? "" : location.toString();
            return where.contains("/test-classes/") || where.endsWith("-tests.jar");
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Map<String, String> functionsByHandlerClass() {
        Map<String, String> functions = functionsByHandlerClass;
        if (functions == null) {
            functions = new HashMap<>();
            JsonNode resources = DynamoDbLocal.readTemplateResources();
            for (var entry : (Iterable<Map.Entry<String, JsonNode>>) resources::fields) {
                if ("AWS::Serverless::Function".equals(entry.getValue().path("Type").asText())) {
                    String handler = entry.getValue().path("Properties").path("Handler").asText();
                    int end = handler.indexOf("::");
                    functions.put(end < 0 ? handler : handler.substring(0, end), entry.getKey());
                }
            }
            functionsByHandlerClass = functions;
        }
        return functions;
    }
}
