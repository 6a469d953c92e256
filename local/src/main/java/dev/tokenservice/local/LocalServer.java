package dev.tokenservice.local;

import com.sun.net.httpserver.HttpServer;
import dev.tokenservice.bootstrap.AdminBootstrap.AdminCredentials;
import dev.tokenservice.config.AwsClients;
import dev.tokenservice.config.Settings;
import dev.tokenservice.local.data.DataFolder;
import dev.tokenservice.local.data.EmbeddedDynamoDb;
import dev.tokenservice.local.data.LocalKmsKey;
import dev.tokenservice.local.failure.Failures;
import dev.tokenservice.local.failure.StartupException;
import dev.tokenservice.local.gateway.ApiGateway;
import dev.tokenservice.local.gateway.GatewayResponses;
import dev.tokenservice.local.gateway.RouteTable;
import dev.tokenservice.local.gateway.Throttling;
import dev.tokenservice.local.lambda.FunctionInvoker;
import dev.tokenservice.local.lambda.HandlerInstances;
import dev.tokenservice.local.schedule.ScheduledFunctions;
import dev.tokenservice.local.template.ApiDefinition;
import dev.tokenservice.local.template.ApiDefinition.Throttle;
import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.FunctionDefinition;
import dev.tokenservice.local.template.ScheduledEvent;
import dev.tokenservice.local.template.TemplateException;
import dev.tokenservice.local.template.TemplateModel;
import dev.tokenservice.storage.TableDefinitions;
import dev.tokenservice.wiring.Services;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Serves template.yaml's API on this machine, the way `sam local start-api` would but in one JVM and
 * without Docker: DynamoDB Local in process, persisted in a data folder, a local signing key (or a KMS
 * emulator), the first admin bootstrapped, every Api route of every function behind API Gateway's
 * routing, API keys and throttling as the template configures them.
 */
public final class LocalServer {

    /** Tests and scripts wait for this line. */
    public static final String LISTENING = "token-service listening on ";

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final int WORKER_THREADS = 32;

    private LocalServer() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("invoke")) {
            LocalInvoke.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(LocalOptions.USAGE);
            return;
        }
        RunningServer server;
        try {
            server = start(LocalOptions.parse(List.of(args), Path.of("")), System.out);
        } catch (StartupException | TemplateException e) {
            System.err.println("token-service local: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException | LinkageError e) {
            System.err.println("token-service local: could not start: " + Failures.describe(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "local-server-shutdown"));
        printBootstrap(server, System.out);
        long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("ready " + sinceJvmStart + " ms after the JVM started; stop with Ctrl-C");
        System.out.println(LISTENING + server.url());
    }

    public static RunningServer start(LocalOptions options) {
        return start(options, System.out);
    }

    /** Starts everything, writing progress to {@code out}; on failure, whatever was started is stopped again. */
    public static RunningServer start(LocalOptions options, PrintStream out) {
        if (!STARTED.compareAndSet(false, true)) {
            throw new StartupException("a JVM runs one local server: the functions share Services.production()");
        }
        TemplateModel template = TemplateModel.load(options.template(), localParameters(options.parameters()));
        List<ApiRoute> routes = template.apiRoutes();
        if (routes.isEmpty()) {
            throw new StartupException("no function in " + options.template() + " has an Api event");
        }
        Function<String, String> environment = System::getenv;
        // Closed last-opened first: serving stops before the workers, DynamoDB Local and the data folder.
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        HttpServer http = null;
        try {
            out.println("template: " + options.template());
            DataFolder data = DataFolder.open(options.dataDirectory());
            opened.push(data);
            out.println("data:     " + data.root());
            // Bound early, so that a taken port fails the start before anything slow happens.
            http = bind(options.host(), options.port());

            String dynamoDbEndpoint = null;
            if (environment.apply("AWS_ENDPOINT_URL_DYNAMODB") == null) {
                EmbeddedDynamoDb dynamoDb = EmbeddedDynamoDb.start(data.dynamoDb());
                opened.push(dynamoDb);
                dynamoDbEndpoint = dynamoDb.endpoint();
                out.println("DynamoDB: DynamoDB Local at " + dynamoDbEndpoint + ", stored in " + data.dynamoDb());
            } else {
                out.println("DynamoDB: " + environment.apply("AWS_ENDPOINT_URL_DYNAMODB") + " (AWS_ENDPOINT_URL_DYNAMODB)");
            }
            LocalSettings settings = LocalSettings.of(template, data, dynamoDbEndpoint, environment);
            String host = options.host();
            boolean everyInterface = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
            settings.fixIssuer("http://" + (everyInterface ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host)
                    + ":" + http.getAddress().getPort());
            settings.fixLoginUrl(settings.effective("ISSUER") + DevSignInPage.PATH);
            settings.apply();
            out.println("signing:  " + prepareSigningKey(settings, template, data, environment));

            Services services = Services.production();
            createTables(services, template, settings, out);
            // From here a local invoke on this folder goes through this DynamoDB (see DataFolder).
            String dynamoDbInUse = dynamoDbEndpoint != null ? dynamoDbEndpoint : environment.apply("AWS_ENDPOINT_URL_DYNAMODB");
            data.recordRunner(dynamoDbInUse, settings.effective("ISSUER"));
            opened.push(data::forgetRunner);
            out.println("tables:   " + String.join(", ", settings.tableNames().values()));
            Optional<AdminCredentials> admin = services.adminBootstrap().createFirstAdmin();
            Optional<String> apiKey = routes.stream().anyMatch(ApiRoute::apiKeyRequired)
                    ? Optional.of(data.apiKey()) : Optional.empty();

            ApiGateway gateway = gateway(template, routes, apiKey.orElse(null), out);
            ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, namedThreads());
            opened.push(() -> shutDown(workers));
            http.createContext("/", gateway);
            String loginUrl = settings.effective("LOGIN_URL");
            if (loginUrl != null && loginUrl.startsWith(settings.effective("ISSUER") + DevSignInPage.PATH)) {
                http.createContext(DevSignInPage.PATH, new DevSignInPage(services, settings.effective("ISSUER")));
                out.println("sign-in:  " + settings.effective("LOGIN_URL") + " (development sign-in page: anyone may "
                        + "sign in as anyone; a deployed stack has none)");
            } else if (!services.brokeredSignIn().upstreams().isEmpty()) {
                out.println("sign-in:  through " + settings.effective("UPSTREAM_ISSUER_URL") + " (identity brokering; "
                        + "redirect URI there: " + settings.effective("ISSUER") + "/oauth2/upstream/"
                        + services.settings().upstreamId() + "/callback)");
            }
            http.setExecutor(workers);
            http.start();
            HttpServer serving = http;
            opened.push(() -> serving.stop(1));
            printRoutes(template, routes, out);
            List<ScheduledEvent> schedules = template.schedules();
            if (!schedules.isEmpty()) {
                out.println("schedules:");
                opened.push(ScheduledFunctions.start(schedules, options.scheduleEvery(), out, Clock.systemUTC()));
            }
            apiKey.ifPresent(key -> out.println("API key (send as x-api-key): " + key));
            return new RunningServer(http, opened, options.host(), admin, apiKey);
        } catch (RuntimeException | LinkageError e) {
            if (http != null) {
                http.stop(0);
            }
            closeAll(opened);
            throw e;
        }
    }

    /**
     * A DynamoDB Local started a moment ago answers its first requests slowly (class loading, SQLite), on a
     * busy machine past the clients' 10 s call timeout; creating a table is idempotent, so it is retried.
     */
    static void createTables(Services services, TemplateModel template, LocalSettings settings, PrintStream log) {
        for (int attempt = 1; ; attempt++) {
            try {
                TableDefinitions.createAll(services.tables().dynamoDb(), template.tableResources(), settings.tableNames());
                return;
            } catch (SdkClientException slow) {
                if (attempt == 3) {
                    throw slow;
                }
                log.println("DynamoDB Local is slow to answer (" + Failures.describe(slow) + "); trying again");
            }
        }
    }

    static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.out.println("while stopping: " + Failures.describe(e));
            }
        }
    }

    private static HttpServer bind(String host, int port) {
        // The JDK server leaves Nagle's algorithm on: headers and body go out in two writes, and on a kept-alive
        // connection the body then waits for the client's delayed ACK, 40 ms per request (bench/load.sh).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            return HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            throw new StartupException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); is another server running there? Choose another --port");
        } catch (IOException e) {
            throw new StartupException("cannot listen on " + host + ":" + port + ": " + Failures.describe(e));
        }
    }

    /**
     * Locally the key file signs (or, with AWS_ENDPOINT_URL_KMS, KMS Sign at the emulator): SigningMode is `kms`
     * unless a developer asks for `wrapped` explicitly, which needs a KMS emulator that generates data key pairs.
     */
    static Map<String, String> localParameters(Map<String, String> overrides) {
        Map<String, String> parameters = new LinkedHashMap<>(overrides);
        String mode = parameters.putIfAbsent("SigningMode", "kms");
        if ("wrapped".equals(mode) && System.getenv("AWS_ENDPOINT_URL_KMS") == null) {
            throw new StartupException("SigningMode=wrapped needs a KMS emulator: set AWS_ENDPOINT_URL_KMS");
        }
        return parameters;
    }

    /**
     * KMS when an emulator is configured (AWS_ENDPOINT_URL_KMS), else the local key file; a
     * KMS_SIGNING_KEY_ID in the environment is used as it is.
     */
    static String prepareSigningKey(LocalSettings settings, TemplateModel template, DataFolder data,
            Function<String, String> environment) {
        String configured = settings.effective("KMS_SIGNING_KEY_ID");
        if (configured != null) {
            return "KMS key " + configured + " (KMS_SIGNING_KEY_ID)";
        }
        String kmsEndpoint = environment.apply("AWS_ENDPOINT_URL_KMS");
        if (kmsEndpoint != null && "wrapped".equals(template.parameters().get("SigningMode"))) {
            String keyId = LocalKmsKey.ensureWrappingKey(new AwsClients(Settings.fromEnvironment()).kms(), data);
            System.setProperty("KEY_WRAPPING_KEY_ID", keyId);
            return "wrapped key pairs under KMS key " + keyId + " at " + kmsEndpoint
                    + " (run the RotateSigningKeysFunction once, or wait for its schedule, to create the first)";
        }
        if (kmsEndpoint != null) {
            String keySpec = template.parameters().getOrDefault("SigningKeySpec", "RSA_2048");
            String keyId = LocalKmsKey.ensure(new AwsClients(Settings.fromEnvironment()).kms(), data, keySpec);
            System.setProperty("KMS_SIGNING_KEY_ID", keyId);
            return "KMS key " + keyId + " (" + keySpec + ") at " + kmsEndpoint;
        }
        return "local key file " + settings.effective("LOCAL_SIGNING_KEY_FILE") + " ("
                + settings.effective("SIGNING_ALGORITHM") + ")";
    }

    private static ApiGateway gateway(TemplateModel template, List<ApiRoute> routes, String apiKey, PrintStream out) {
        Map<String, FunctionDefinition> functions = new LinkedHashMap<>();
        Map<String, FunctionInvoker> invokers = new LinkedHashMap<>();
        for (FunctionDefinition function : template.functions()) {
            if (!function.apiRoutes().isEmpty()) {
                functions.put(function.logicalId(), function);
                invokers.put(function.logicalId(), HandlerInstances.create(function));
            }
        }
        Map<String, GatewayResponses> responsesByApi = new LinkedHashMap<>();
        routes.stream().map(ApiRoute::apiId).distinct().forEach(apiId -> template.api(apiId)
                .ifPresent(api -> responsesByApi.put(apiId, new GatewayResponses(api.gatewayResponses()))));
        GatewayResponses unrouted = responsesByApi.values().stream().findFirst().orElse(GatewayResponses.BUILT_IN);
        return new ApiGateway(new RouteTable(routes), functions, invokers,
                new Throttling(template, routes, System::nanoTime, Clock.systemUTC()),
                responsesByApi, unrouted, apiKey, out);
    }

    private static void printRoutes(TemplateModel template, List<ApiRoute> routes, PrintStream out) {
        out.println("routes:");
        for (ApiRoute route : routes) {
            out.printf("  %-7s %-42s -> %s (%s)%n", route.method(), route.path(), route.functionId(),
                    limits(template, route));
        }
        template.functions().stream()
                .filter(f -> f.apiRoutes().isEmpty() && f.events().stream().noneMatch(e -> "ScheduleV2".equals(e.type())))
                .forEach(f -> out.println("  not served (no Api event): " + f.logicalId()));
    }

    /**
     * The limits the gateway applies to a route, as the template resolves them with the parameter overrides: the
     * stage or method throttle, and for an API-key route the usage plan's throttle and quota, which bind first.
     */
    static String limits(TemplateModel template, ApiRoute route) {
        var api = template.api(route.apiId());
        String limit = api.flatMap(definition -> definition.throttleFor(route.path(), route.method()))
                .map(LocalServer::describe)
                .orElse("not throttled");
        if (!route.apiKeyRequired()) {
            return limit;
        }
        StringBuilder text = new StringBuilder(limit).append(", API key required");
        api.flatMap(ApiDefinition::usagePlan).ifPresent(plan -> {
            plan.throttle().ifPresent(throttle -> text.append(", usage plan ").append(describe(throttle)));
            plan.quota().ifPresent(quota -> text.append(", quota ").append(quota.limit()).append(" a ")
                    .append(quota.period().toLowerCase(java.util.Locale.ROOT)));
        });
        return text.toString();
    }

    private static String describe(Throttle throttle) {
        return number(throttle.rateLimit()) + " req/s, burst " + number(throttle.burstLimit());
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static void printBootstrap(RunningServer server, PrintStream out) {
        server.bootstrapAdmin().ifPresentOrElse(admin -> {
            out.println("bootstrap admin client_id: " + admin.clientId());
            out.println("bootstrap admin client_secret: " + admin.clientSecret());
            out.println("bootstrap admin scope: " + admin.scope());
            out.println("  (the secret is shown this once and stored only as a hash) get a token with:");
            out.println("  curl -s -u '" + admin.clientId() + ":" + admin.clientSecret()
                    + "' -d grant_type=client_credentials " + server.localUrl() + "/oauth2/token");
        }, () -> out.println("bootstrap admin: created on an earlier start with this data folder; its secret"
                + " was printed then (delete the data folder to start over)"));
    }

    private static ThreadFactory namedThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> new Thread(runnable, "local-api-" + count.incrementAndGet());
    }

    private static void shutDown(ExecutorService workers) throws InterruptedException {
        workers.shutdown();
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }
}
