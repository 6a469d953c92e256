package dev.tokenservice.local.template;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.local.template.ApiDefinition.GatewayResponse;
import dev.tokenservice.local.template.ApiDefinition.MethodThrottle;
import dev.tokenservice.local.template.ApiDefinition.Quota;
import dev.tokenservice.local.template.ApiDefinition.Throttle;
import dev.tokenservice.local.template.ApiDefinition.UsagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the local runner needs to know from template.yaml, the single description of the deployment:
 * the functions and their routes, the API's throttling and gateway responses, the tables, the
 * functions' environment. Values are resolved with the template's parameters (defaults, or overrides).
 */
public final class TemplateModel {

    static final String FUNCTION_TYPE = "AWS::Serverless::Function";
    static final String API_TYPE = "AWS::Serverless::Api";
    public static final String TABLE_TYPE = "AWS::DynamoDB::Table";
    private static final String STACK_NAME = "local";

    private final Map<String, Map<String, Object>> resources;
    private final Map<String, Object> functionGlobals;
    private final Map<String, String> parameters;
    private final Intrinsics intrinsics;
    private final Map<String, ApiDefinition> apis;
    private final List<FunctionDefinition> functions;

    private TemplateModel(Map<String, Object> template, Map<String, String> parameterOverrides) {
        this.resources = resourcesOf(template);
        this.functionGlobals = map(map(template.get("Globals")).get("Function"));
        Map<String, Object> declaredParameters = map(template.get("Parameters"));
        this.parameters = TemplateParameters.resolve(declaredParameters, parameterOverrides);
        this.intrinsics = new Intrinsics(parameters, TemplateParameters.types(declaredParameters),
                map(template.get("Conditions")), map(template.get("Mappings")), resources.keySet(), Map.of(), STACK_NAME);
        this.apis = new LinkedHashMap<>();
        idsOfType(API_TYPE).forEach(id -> apis.put(id, readApi(id, properties(id))));
        // A function whose Condition is false (the key rotation in `kms` mode) does not exist in the stack.
        this.functions = idsOfType(FUNCTION_TYPE).stream().filter(this::exists)
                .map(id -> readFunction(id, properties(id))).toList();
    }

    public static TemplateModel load(Path file, Map<String, String> parameterOverrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TemplateException("cannot read the template " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), parameterOverrides);
    }

    public static TemplateModel parse(String yaml, String source, Map<String, String> parameterOverrides) {
        return new TemplateModel(CloudFormationYaml.parse(yaml, source), parameterOverrides);
    }

    /** Every parameter's value: its override, else its default. */
    public Map<String, String> parameters() {
        return parameters;
    }

    public List<FunctionDefinition> functions() {
        return functions;
    }

    public List<ApiRoute> apiRoutes() {
        return functions.stream().flatMap(f -> f.apiRoutes().stream()).toList();
    }

    /** Every ScheduleV2 event of every function, its expression and Input resolved with the parameters. */
    public List<ScheduledEvent> schedules() {
        List<ScheduledEvent> schedules = new ArrayList<>();
        for (FunctionDefinition function : functions) {
            for (EventDefinition event : function.events()) {
                if (!"ScheduleV2".equals(event.type())) {
                    continue;
                }
                Object expression = event.properties().get("ScheduleExpression");
                if (expression == null) {
                    throw new TemplateException(function.logicalId() + "'s event " + event.name()
                            + " needs a ScheduleExpression");
                }
                Object input = event.properties().get("Input");
                schedules.add(new ScheduledEvent(function, event.name(), intrinsics.text(expression),
                        input == null ? null : intrinsics.text(input)));
            }
        }
        return schedules;
    }

    /** The API a route belongs to; empty for SAM's implicit API, which has no settings. */
    public Optional<ApiDefinition> api(String logicalId) {
        return Optional.ofNullable(logicalId == null ? null : apis.get(logicalId));
    }

    private boolean exists(String logicalId) {
        Object condition = resources.get(logicalId).get("Condition");
        return condition == null || intrinsics.condition(String.valueOf(condition));
    }

    public List<String> idsOfType(String type) {
        return resources.entrySet().stream()
                .filter(e -> type.equals(e.getValue().get("Type")))
                .map(Map.Entry::getKey)
                .toList();
    }

    public List<String> tableIds() {
        return idsOfType(TABLE_TYPE);
    }

    /** The table resources as JSON ({logicalId: {Type, Properties}}), the shape TableDefinitions reads. */
    public ObjectNode tableResources() {
        Map<String, Object> tables = new LinkedHashMap<>();
        tableIds().forEach(id -> tables.put(id, resources.get(id)));
        return Json.MAPPER.valueToTree(tables);
    }

    /** A resource's Properties, intrinsics unresolved. */
    public Map<String, Object> properties(String logicalId) {
        return map(resources.get(logicalId).get("Properties"));
    }

    /**
     * The environment variables the functions get, resolved, for one JVM that hosts them all. A Ref to a
     * resource resolves to the local name given for it; a variable whose value exists only in a deployed
     * stack (an ARN, an unnamed resource) or resolves to an empty string is left out, as Lambda leaves
     * an empty variable unset in effect.
     */
    public Map<String, String> functionEnvironment(Map<String, String> localResourceNames) {
        return resolveEnvironment(rawEnvironment(idsOfType(FUNCTION_TYPE)), localResourceNames);
    }

    /** One function's environment variables (Globals' and its own), resolved as for all of them above. */
    public Map<String, String> functionEnvironment(String functionId, Map<String, String> localResourceNames) {
        return resolveEnvironment(rawEnvironment(List.of(functionId)), localResourceNames);
    }

    /** The variable names a function's template environment declares (Globals' and its own). */
    public Set<String> declaredVariables(String functionId) {
        return rawEnvironment(List.of(functionId)).keySet();
    }

    public Optional<FunctionDefinition> function(String logicalId) {
        return functions.stream().filter(f -> f.logicalId().equals(logicalId)).findFirst();
    }

    private Map<String, String> resolveEnvironment(Map<String, Object> raw, Map<String, String> localResourceNames) {
        Intrinsics withNames = intrinsics.withResourceNames(localResourceNames);
        Map<String, String> environment = new LinkedHashMap<>();
        raw.forEach((name, value) -> {
            try {
                String text = withNames.text(value);
                if (text != null && !text.isEmpty()) {
                    environment.put(name, text);
                }
            } catch (Intrinsics.OnlyInAws deployedOnly) {
                // An ARN or a resource without a local stand-in: the local runner supplies its own setting.
            }
        });
        return environment;
    }

    /** The variables whose value is a Ref to a resource of the given type: variable name to logical id. */
    public Map<String, String> variablesReferencing(String resourceType) {
        List<String> ids = idsOfType(resourceType);
        Map<String, String> references = new LinkedHashMap<>();
        rawEnvironment(idsOfType(FUNCTION_TYPE)).forEach((name, raw) -> {
            if (raw instanceof Map<?, ?> ref && ref.size() == 1 && ids.contains(String.valueOf(ref.get("Ref")))) {
                references.put(name, String.valueOf(ref.get("Ref")));
            }
        });
        return references;
    }

    Intrinsics intrinsics() {
        return intrinsics;
    }

    /**
     * Globals' variables merged with the given functions' own. One JVM hosts every function locally, so two
     * functions that need different values for one variable cannot both be served.
     */
    private Map<String, Object> rawEnvironment(List<String> functionIds) {
        Map<String, Object> merged = new LinkedHashMap<>(variablesOf(functionGlobals));
        Map<String, String> definedBy = new LinkedHashMap<>();
        for (String id : functionIds) {
            variablesOf(properties(id)).forEach((name, value) -> {
                if (definedBy.containsKey(name) && !Objects.equals(merged.get(name), value)) {
                    throw new TemplateException("the functions " + definedBy.get(name) + " and " + id
                            + " set " + name + " differently; the local runner hosts every function in one JVM");
                }
                merged.put(name, value);
                definedBy.putIfAbsent(name, id);
            });
        }
        return merged;
    }

    private static Map<String, Object> variablesOf(Map<String, Object> functionProperties) {
        return map(map(functionProperties.get("Environment")).get("Variables"));
    }

    private FunctionDefinition readFunction(String id, Map<String, Object> properties) {
        Object handler = properties.getOrDefault("Handler", functionGlobals.get("Handler"));
        int timeout = (int) intrinsics.number(properties.getOrDefault("Timeout", functionGlobals.getOrDefault("Timeout", 3)));
        int memory = (int) intrinsics.number(
                properties.getOrDefault("MemorySize", functionGlobals.getOrDefault("MemorySize", 128)));
        List<EventDefinition> events = new ArrayList<>();
        List<ApiRoute> routes = new ArrayList<>();
        map(properties.get("Events")).forEach((name, definition) -> {
            Map<String, Object> event = map(definition);
            EventDefinition read = new EventDefinition(name, String.valueOf(event.get("Type")), map(event.get("Properties")));
            events.add(read);
            if ("Api".equals(read.type())) {
                routes.add(readRoute(id, name, read.properties()));
            }
        });
        return new FunctionDefinition(id, handler == null ? null : intrinsics.text(handler), timeout, memory,
                List.copyOf(events), List.copyOf(routes));
    }

    private ApiRoute readRoute(String functionId, String eventName, Map<String, Object> properties) {
        String path = intrinsics.text(properties.get("Path"));
        Object methodValue = properties.get("Method");
        if (path == null || methodValue == null) {
            throw new TemplateException(functionId + "'s event " + eventName + " needs a Path and a Method");
        }
        String method = intrinsics.text(methodValue).toUpperCase(Locale.ROOT);
        String apiId = properties.get("RestApiId") instanceof Map<?, ?> ref && ref.get("Ref") != null
                ? String.valueOf(ref.get("Ref")) : null;
        Object apiKeyRequired = map(properties.get("Auth")).get("ApiKeyRequired");
        if (apiKeyRequired == null && apiId != null && resources.containsKey(apiId)) {
            // SAM applies the API's Auth.ApiKeyRequired to every method that does not say otherwise.
            apiKeyRequired = map(properties(apiId).get("Auth")).get("ApiKeyRequired");
        }
        return new ApiRoute(functionId, apiId, method, path, apiKeyRequired != null && intrinsics.bool(apiKeyRequired));
    }

    private ApiDefinition readApi(String id, Map<String, Object> properties) {
        List<MethodThrottle> methodSettings = new ArrayList<>();
        for (Object entry : list(properties.get("MethodSettings"))) {
            Map<String, Object> setting = map(entry);
            methodSettings.add(new MethodThrottle(
                    resourcePath(intrinsics.text(setting.getOrDefault("ResourcePath", ApiDefinition.EVERY_RESOURCE))),
                    intrinsics.text(setting.getOrDefault("HttpMethod", ApiDefinition.EVERY_METHOD)),
                    optionalNumber(setting.get("ThrottlingRateLimit")),
                    optionalNumber(setting.get("ThrottlingBurstLimit"))));
        }
        Map<String, GatewayResponse> gatewayResponses = new LinkedHashMap<>();
        map(properties.get("GatewayResponses")).forEach((type, definition) ->
                gatewayResponses.put(type, readGatewayResponse(map(definition))));
        return new ApiDefinition(id, List.copyOf(methodSettings), readUsagePlan(map(map(properties.get("Auth")).get("UsagePlan"))),
                gatewayResponses);
    }

    /**
     * MethodSettings name a resource as "/" followed by its path with every "/" escaped as "~1"
     * ("/~1oauth2~1token" is /oauth2/token); "/*" is every resource.
     */
    static String resourcePath(String setting) {
        if (setting.equals(ApiDefinition.EVERY_RESOURCE) || !setting.startsWith("/~1")) {
            return setting;
        }
        return setting.substring(1).replace("~1", "/");
    }

    private Optional<UsagePlan> readUsagePlan(Map<String, Object> plan) {
        if (plan.isEmpty() || "NONE".equals(intrinsics.text(plan.getOrDefault("CreateUsagePlan", "NONE")))) {
            return Optional.empty();
        }
        Map<String, Object> throttle = map(plan.get("Throttle"));
        Double rate = optionalNumber(throttle.get("RateLimit"));
        Double burst = optionalNumber(throttle.get("BurstLimit"));
        Map<String, Object> quota = map(plan.get("Quota"));
        Double limit = optionalNumber(quota.get("Limit"));
        return Optional.of(new UsagePlan(
                rate != null && burst != null ? Optional.of(new Throttle(rate, burst)) : Optional.empty(),
                limit != null ? Optional.of(new Quota(limit.longValue(), intrinsics.text(quota.getOrDefault("Period", "DAY"))))
                        : Optional.empty()));
    }

    private GatewayResponse readGatewayResponse(Map<String, Object> definition) {
        Object status = definition.get("StatusCode");
        Map<String, String> headers = new LinkedHashMap<>();
        map(map(definition.get("ResponseParameters")).get("Headers")).forEach((name, value) -> {
            String text = intrinsics.text(value);
            // Literal values are quoted ('1'); unquoted values are mappings from the request.
            boolean literal = text.length() >= 2 && text.startsWith("'") && text.endsWith("'");
            headers.put(name, literal ? text.substring(1, text.length() - 1) : text);
        });
        Object template = map(definition.get("ResponseTemplates")).get("application/json");
        return new GatewayResponse(status == null ? null : (int) intrinsics.number(status), headers,
                template == null ? null : intrinsics.text(template));
    }

    private Double optionalNumber(Object value) {
        return value == null ? null : intrinsics.number(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> resourcesOf(Map<String, Object> template) {
        Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
        map(template.get("Resources")).forEach((id, resource) -> {
            if (!(resource instanceof Map)) {
                throw new TemplateException("the resource " + id + " is not a mapping");
            }
            resources.put(id, (Map<String, Object>) resource);
        });
        if (resources.isEmpty()) {
            throw new TemplateException("the template has no Resources");
        }
        return resources;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return copy;
        }
        return Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }
}
