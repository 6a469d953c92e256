package dev.tokenservice.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.local.data.DataFolder;
import dev.tokenservice.local.data.EmbeddedDynamoDb;
import dev.tokenservice.local.failure.Failures;
import dev.tokenservice.local.failure.StartupException;
import dev.tokenservice.local.lambda.HandlerInstances;
import dev.tokenservice.local.lambda.LocalLambdaContext;
import dev.tokenservice.local.lambda.RuntimeHandler;
import dev.tokenservice.local.template.FunctionDefinition;
import dev.tokenservice.local.template.TemplateException;
import dev.tokenservice.local.template.TemplateModel;
import dev.tokenservice.wiring.Services;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Invokes one function of template.yaml once, like `sam local invoke` but without Docker: the handler made
 * and called as the Lambda Java runtime does ({@link RuntimeHandler}), with the function's environment from
 * the template, against the local runner's data folder (its tables, signing key, sealing key and pepper).
 * The response JSON goes to standard output and nothing else does; logs go to standard error.
 *
 * <p>The database: with no runner on the data folder, this process holds the folder and runs DynamoDB Local
 * on it itself. While a runner serves the folder it holds it, and this process goes through the runner's
 * DynamoDB Local (its address is recorded in the folder) rather than opening the database file a second
 * time; while another invoke holds it, this one waits for it.
 */
public final class LocalInvoke {

    static final int FUNCTION_FAILED = 1;
    static final int COULD_NOT_RUN = 2;
    private static final Duration WAIT_FOR_FOLDER = Duration.ofSeconds(120);

    private LocalInvoke() {
    }

    public static void main(String[] args) {
        int status = run(List.of(args), System.in, System.out, System.err, System::getenv, Path.of(""));
        System.out.flush();
        System.exit(status);
    }

    /** The whole command; returns its exit status. {@code stdout} receives the response JSON alone. */
    static int run(List<String> args, InputStream stdin, PrintStream stdout, PrintStream stderr,
            Function<String, String> environment, Path workingDirectory) {
        PrintStream systemOut = System.out;
        // DynamoDB Local, the AWS SDK and the handler's own logs all write to System.out: on Lambda that is the
        // log; here it must not mix with the response.
        System.setOut(stderr);
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            InvokeOptions options;
            TemplateModel template;
            FunctionDefinition function;
            byte[] event;
            Map<String, String> envVars;
            try {
                options = InvokeOptions.parse(args, workingDirectory);
                template = loadForLocalRun(options);
                function = template.function(options.functionId()).orElseThrow(() -> new StartupException(
                        "the template has no function " + options.functionId() + "; it has "
                                + String.join(", ", template.functions().stream().map(FunctionDefinition::logicalId).toList())));
                event = readEvent(options.event(), stdin);
                envVars = envVars(options.envVars(), function.logicalId(), template.declaredVariables(function.logicalId()),
                        stderr);
            } catch (StartupException | TemplateException e) {
                stderr.println("invoke: " + e.getMessage());
                return COULD_NOT_RUN;
            }

            RuntimeHandler handler;
            try {
                prepare(options, template, function, envVars, environment, opened, stderr);
                long initStart = System.nanoTime();
                handler = RuntimeHandler.load(function);
                stderr.printf("init: %s (%d ms)%n", function.handler(), (System.nanoTime() - initStart) / 1_000_000);
            } catch (HandlerInstances.InitPhaseFailed e) {
                stderr.println("invoke: " + e.getMessage());
                return failed(stdout, stderr, e.failure());
            } catch (StartupException | TemplateException e) {
                stderr.println("invoke: " + e.getMessage());
                return COULD_NOT_RUN;
            } catch (RuntimeException | LinkageError e) {
                stderr.println("invoke: could not prepare " + function.logicalId() + ": " + Failures.describe(e));
                return COULD_NOT_RUN;
            }
            return invoke(handler, event, stdout, stderr);
        } finally {
            LocalServer.closeAll(opened);
            System.setOut(systemOut);
        }
    }

    /** The template as the runner loads it: locally the key file signs unless `wrapped` is asked for explicitly. */
    private static TemplateModel loadForLocalRun(InvokeOptions options) {
        TemplateModel declared = TemplateModel.load(options.template(), options.parameters());
        return declared.parameters().containsKey("SigningMode")
                ? TemplateModel.load(options.template(), LocalServer.localParameters(options.parameters()))
                : declared;
    }

    /**
     * The data folder, DynamoDB and the settings the functions read, as the runner makes them for this one
     * function; the tables are created when this process runs the database itself.
     */
    private static void prepare(InvokeOptions options, TemplateModel template, FunctionDefinition function,
            Map<String, String> envVars, Function<String, String> environment, Deque<AutoCloseable> opened,
            PrintStream log) {
        String externalDynamoDb = environment.apply("AWS_ENDPOINT_URL_DYNAMODB");
        DataFolder data;
        String dynamoDbEndpoint = null;
        boolean ownDatabase = false;
        if (externalDynamoDb != null) {
            data = DataFolder.alongsideRunner(options.dataDirectory());
            log.println("DynamoDB: " + externalDynamoDb + " (AWS_ENDPOINT_URL_DYNAMODB)");
        } else {
            Folder folder = holdOrShare(options.dataDirectory(), log);
            data = folder.data();
            opened.push(data);
            if (folder.runnerDynamoDb().isPresent()) {
                dynamoDbEndpoint = folder.runnerDynamoDb().get();
                log.println("DynamoDB: the running local runner's, " + dynamoDbEndpoint);
            } else {
                EmbeddedDynamoDb dynamoDb = EmbeddedDynamoDb.start(data.dynamoDb());
                opened.push(dynamoDb);
                dynamoDbEndpoint = dynamoDb.endpoint();
                ownDatabase = true;
                log.println("DynamoDB: DynamoDB Local at " + dynamoDbEndpoint + ", stored in " + data.dynamoDb());
            }
        }
        LocalSettings settings = LocalSettings.of(template, function.logicalId(), data, dynamoDbEndpoint, environment);
        // Tokens the runner issued carry its URL as iss; without it, as on Lambda, the issuer follows the event.
        data.lastIssuer().ifPresent(settings::fixIssuer);
        envVars.forEach(settings::override);
        settings.apply();
        log.println("signing:  " + LocalServer.prepareSigningKey(settings, template, data, environment));
        if (ownDatabase || externalDynamoDb != null) {
            LocalServer.createTables(Services.production(), template, settings, log);
        }
    }

    private record Folder(DataFolder data, Optional<String> runnerDynamoDb) {
    }

    /**
     * Holds the folder when nobody else does (and forgets the address a killed runner may have left); uses
     * the runner's DynamoDB when a runner holds it; waits while another invoke holds it.
     */
    private static Folder holdOrShare(Path root, PrintStream log) {
        long deadline = System.nanoTime() + WAIT_FOR_FOLDER.toNanos();
        boolean said = false;
        while (true) {
            Optional<DataFolder> held = DataFolder.tryOpen(root);
            if (held.isPresent()) {
                held.get().forgetRunner();
                return new Folder(held.get(), Optional.empty());
            }
            DataFolder shared = DataFolder.alongsideRunner(root);
            Optional<String> runner = shared.runnerDynamoDb();
            if (runner.isPresent()) {
                return new Folder(shared, runner);
            }
            if (System.nanoTime() > deadline) {
                throw new StartupException("another process holds " + root + " and serves no DynamoDB for it after "
                        + WAIT_FOR_FOLDER.toSeconds() + " s; pass another --data");
            }
            if (!said) {
                log.println("waiting: another invoke (or a starting runner) holds " + root);
                said = true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for " + root);
            }
        }
    }

    private static int invoke(RuntimeHandler handler, byte[] event, PrintStream stdout, PrintStream stderr) {
        FunctionDefinition function = handler.function();
        String requestId = UUID.randomUUID().toString();
        long start = System.currentTimeMillis();
        LocalLambdaContext context = new LocalLambdaContext(function, requestId, start);
        ExecutorService runner = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "invoke-" + function.logicalId());
            thread.setDaemon(true);
            return thread;
        });
        stderr.println("START RequestId: " + requestId);
        try {
            Future<String> response = runner.submit(() -> handler.invoke(event, context));
            String json = response.get(function.timeoutSeconds(), TimeUnit.SECONDS);
            report(stderr, requestId, start);
            stdout.println(json);
            return 0;
        } catch (TimeoutException e) {
            report(stderr, requestId, start);
            String message = "Task timed out after " + function.timeoutSeconds() + ".00 seconds";
            stderr.println(message);
            stdout.println(errorJson("Sandbox.Timedout", message));
            return FUNCTION_FAILED;
        } catch (ExecutionException e) {
            report(stderr, requestId, start);
            return failed(stdout, stderr, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(stdout, stderr, e);
        } finally {
            runner.shutdownNow();
        }
    }

    /**
     * What Lambda answers for a function error, without the stack trace (logs and answers never carry one
     * in this project): the exception's type and message on standard output, a line on standard error.
     */
    private static int failed(PrintStream stdout, PrintStream stderr, Throwable failure) {
        stderr.println("the function failed: " + Failures.describe(failure));
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        stdout.println(errorJson(failure.getClass().getName(), message));
        return FUNCTION_FAILED;
    }

    private static String errorJson(String type, String message) {
        ObjectNode error = Json.MAPPER.createObjectNode();
        error.put("errorMessage", message);
        error.put("errorType", type);
        return error.toString();
    }

    private static void report(PrintStream stderr, String requestId, long start) {
        stderr.printf("END RequestId: %s%nREPORT RequestId: %s Duration: %d ms%n", requestId, requestId,
                System.currentTimeMillis() - start);
    }

    private static byte[] readEvent(Path event, InputStream stdin) {
        byte[] json;
        try {
            if (event == null) {
                return "{}".getBytes(StandardCharsets.UTF_8);
            }
            json = event == InvokeOptions.STDIN ? stdin.readAllBytes() : Files.readAllBytes(event);
        } catch (IOException e) {
            throw new StartupException("cannot read the event " + (event == InvokeOptions.STDIN ? "from standard input" : event)
                    + ": " + e.getMessage());
        }
        try {
            Json.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StartupException("the event " + (event == InvokeOptions.STDIN ? "on standard input" : event)
                    + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new StartupException("cannot read the event: " + e.getMessage());
        }
        return json;
    }

    /**
     * SAM's environment-variables file: "Parameters" applies to every function, the function's own section
     * wins over it. As sam local invoke does, only variables the function's template environment declares
     * are taken; the others are named on standard error and left out.
     */
    static Map<String, String> envVars(Path file, String functionId, Set<String> declared, PrintStream log) {
        if (file == null) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new StartupException("cannot read the environment variables file " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new StartupException(file + " is not a JSON object like {\"" + functionId + "\": {\"NAME\": \"value\"}}");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String section : List.of("Parameters", functionId)) {
            JsonNode variables = root.path(section);
            if (variables.isMissingNode()) {
                continue;
            }
            if (!variables.isObject()) {
                throw new StartupException(file + ": " + section + " must be an object of NAME: value");
            }
            variables.fields().forEachRemaining(entry -> {
                JsonNode value = entry.getValue();
                if (value.isContainerNode()) {
                    throw new StartupException(file + ": " + section + "." + entry.getKey() + " must be a string, number or boolean");
                }
                if (!declared.contains(entry.getKey())) {
                    log.println("env-vars: " + entry.getKey() + " is left out: " + functionId
                            + "'s template environment does not declare it (sam local invoke leaves it out too)");
                    return;
                }
                values.put(entry.getKey(), value.isNull() ? "" : value.asText());
            });
        }
        return values;
    }
}
