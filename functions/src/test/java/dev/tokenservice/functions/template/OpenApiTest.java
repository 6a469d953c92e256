package dev.tokenservice.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.testing.DynamoDbLocal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml describes exactly the routes of template.yaml: the same (method, path) pairs both ways, each
 * route's path parameters declared, the API-key routes asking for the x-api-key scheme, every operation
 * with its responses and every $ref resolving. The schemathesis run (compat/fuzz) fuzzes from that document,
 * so a route missing here would go untested there.
 */
class OpenApiTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

    private final JsonNode resources = DynamoDbLocal.readTemplateResources();
    private final JsonNode document = readOpenApi();

    @Test
    void documentsExactlyTheRoutesOfTheTemplate() {
        Set<String> template = new TreeSet<>(templateRoutes().keySet());
        Set<String> documented = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(key -> {
            if (METHODS.contains(key)) {
                documented.add(key.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));

        Set<String> undocumented = new TreeSet<>(template);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(template);
        assertTrue(undocumented.isEmpty(), "routes of template.yaml missing from openapi.yaml: " + undocumented);
        assertTrue(notServed.isEmpty(), "operations of openapi.yaml that template.yaml does not serve: " + notServed);
        assertTrue(template.size() >= 29, "routes found: " + template.size());
    }

    @Test
    void everyOperationDeclaresItsPathParametersResponsesAndTheApiKeyWhereTheGatewayWantsIt() {
        templateRoutes().forEach((route, apiKeyRequired) -> {
            String method = route.substring(0, route.indexOf(' ')).toLowerCase(Locale.ROOT);
            String path = route.substring(route.indexOf(' ') + 1);
            JsonNode pathItem = document.path("paths").path(path);
            JsonNode operation = pathItem.path(method);

            Set<String> declared = new TreeSet<>();
            for (JsonNode parameters : List.of(pathItem.path("parameters"), operation.path("parameters"))) {
                for (JsonNode parameter : parameters) {
                    JsonNode resolved = resolve(parameter);
                    if ("path".equals(resolved.path("in").asText())) {
                        assertTrue(resolved.path("required").asBoolean(), route + " path parameter " + resolved.path("name"));
                        declared.add(resolved.path("name").asText());
                    }
                }
            }
            Set<String> inPath = new TreeSet<>();
            Matcher matcher = PATH_PARAMETER.matcher(path);
            while (matcher.find()) {
                inPath.add(matcher.group(1));
            }
            assertEquals(inPath, declared, route + ": path parameters");

            assertTrue(operation.path("operationId").isTextual(), route + " has an operationId");
            assertTrue(operation.path("responses").size() > 0, route + " documents its responses");
            boolean successDocumented = false;
            for (var status = operation.path("responses").fieldNames(); status.hasNext(); ) {
                String code = status.next();
                successDocumented |= code.startsWith("2") || code.startsWith("3");
            }
            assertTrue(successDocumented, route + " documents a 2xx or 3xx answer");
            assertTrue(operation.path("responses").has("429"), route + " documents throttling (429)");

            JsonNode security = operation.has("security") ? operation.path("security") : document.path("security");
            boolean everyAlternativeHasTheKey = security.size() > 0;
            boolean anyAlternativeHasTheKey = false;
            for (JsonNode alternative : security) {
                everyAlternativeHasTheKey &= alternative.has("apiKey");
                anyAlternativeHasTheKey |= alternative.has("apiKey");
            }
            if (apiKeyRequired) {
                assertTrue(everyAlternativeHasTheKey, route + " needs the usage plan's API key in every security alternative");
                assertTrue(resolve(operation.path("responses").path("403")).path("description").isTextual(),
                        route + " documents the gateway's 403 for a missing API key");
            } else {
                assertFalse(anyAlternativeHasTheKey, route + " needs no API key, so the document must not ask for one");
            }
        });
    }

    @Test
    void everyReferenceResolves() {
        List<String> broken = new ArrayList<>();
        collectBrokenReferences(document, broken);
        assertTrue(broken.isEmpty(), "unresolved $ref: " + broken);
    }

    /** "METHOD /path" of every Api event of every function, to whether the route requires the API key. */
    private Map<String, Boolean> templateRoutes() {
        Map<String, Boolean> routes = new java.util.TreeMap<>();
        resources.fields().forEachRemaining(resource -> {
            if (!"AWS::Serverless::Function".equals(resource.getValue().path("Type").asText())) {
                return;
            }
            for (JsonNode event : resource.getValue().path("Properties").path("Events")) {
                if ("Api".equals(event.path("Type").asText())) {
                    JsonNode properties = event.path("Properties");
                    routes.put(properties.path("Method").asText().toUpperCase(Locale.ROOT) + " " + properties.path("Path").asText(),
                            properties.path("Auth").path("ApiKeyRequired").asBoolean(false));
                }
            }
        });
        return routes;
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current.has("$ref") && hops < 10; hops++) {
            current = pointer(current.path("$ref").asText());
        }
        return current;
    }

    private JsonNode pointer(String reference) {
        assertTrue(reference.startsWith("#/"), "only local references: " + reference);
        return document.at(reference.substring(1));
    }

    private void collectBrokenReferences(JsonNode node, List<String> broken) {
        if (node.isObject()) {
            JsonNode reference = node.get("$ref");
            if (reference != null && (!reference.asText().startsWith("#/") || document.at(reference.asText().substring(1)).isMissingNode())) {
                broken.add(reference.asText());
            }
            node.elements().forEachRemaining(child -> collectBrokenReferences(child, broken));
        } else if (node.isArray()) {
            node.forEach(child -> collectBrokenReferences(child, broken));
        }
    }

    /** openapi.yaml beside template.yaml, as a tree. */
    static JsonNode readOpenApi() {
        Path file = DynamoDbLocal.templatePath().getParent().resolve("openapi.yaml");
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
    }
}
