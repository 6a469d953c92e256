package dev.tokenservice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.config.AwsClients;
import dev.tokenservice.config.Settings;
import dev.tokenservice.functions.oauth.IssueTokenHandler;
import dev.tokenservice.storage.TableDefinitions;
import dev.tokenservice.storage.Tables;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Prepares one cold-start run: creates the tables from template.yaml (if missing), one client that may use
 * every measured endpoint, issues it a token (in this JVM, never in the measured ones), and writes the events of
 * events/ with real credentials into OUT_DIR: IssueToken, IntrospectToken, GetJwks, CreateClient, ListTokens, Baseline.
 * Usage: Seed template.yaml events/ OUT_DIR. Prints "client_id secret" last.
 */
public final class Seed {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path events = Path.of(args[1]);
        Path out = Files.createDirectories(Path.of(args[2]));
        Settings settings = Settings.fromEnvironment();
        AwsClients aws = new AwsClients(settings);
        var dynamoDb = aws.dynamoDb();
        var resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(args[0]))).path("Resources");
        TableDefinitions.createAll(dynamoDb, resources, Map.of(
                "ClientsTable", settings.clientsTable(),
                "TokensTable", settings.tokensTable(),
                "ConsentsTable", settings.consentsTable()));
        var hasher = new SecretHasher(Base64.getDecoder().decode(settings.required("SECRET_PEPPER")));
        String clientId = UUID.randomUUID().toString();
        String secret = SecretHasher.newSecret();
        ClientItem client = new ClientItem();
        client.setClientId(clientId);
        client.setSecretHash(hasher.hash(secret));
        client.setName("bench");
        client.setScopes(List.of("tokens:admin", "clients:admin", "clients:write"));
        client.setGrantTypes(List.of("client_credentials"));
        client.setAuthenticationMethods(List.of("client_secret_basic", "client_secret_post"));
        client.setTenant(settings.tenant());
        client.setEnabled(true);
        new Tables(dynamoDb, settings).of(ClientSchema.TABLE).putItem(client);

        String basic = "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        ObjectNode issue = withHeader(read(events, "IssueTokenFunction"), "Authorization", basic);
        write(out, "IssueToken", issue);

        // One token for the introspection and client-registration events, issued here so no measured JVM warms up.
        ObjectNode seedRequest = issue.deepCopy();
        seedRequest.put("body", "grant_type=client_credentials&scope=tokens%3Aadmin%20clients%3Aadmin");
        var response = new IssueTokenHandler().handleRequest(JSON.treeToValue(seedRequest,
                com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.class), null);
        if (response.getStatusCode() != 200) {
            throw new IllegalStateException("seed token request failed: " + response.getBody());
        }
        String token = JSON.readTree(response.getBody()).path("access_token").asText();

        ObjectNode introspect = withHeader(read(events, "IntrospectTokenFunction"), "Authorization", basic);
        introspect.put("body", "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                + "&token_type_hint=access_token");
        write(out, "IntrospectToken", introspect);

        write(out, "GetJwks", read(events, "GetJwksFunction"));

        ObjectNode create = read(events, "CreateClientFunction");
        removeHeader(create, "Cookie");
        write(out, "CreateClient", withHeader(create, "Authorization", "Bearer " + token));

        // The token list as an administrator sees it: every live token of the last two hours, newest first, 100 a page.
        ObjectNode list = read(events, "AgilicusListTokensFunction");
        ((ObjectNode) list.path("queryStringParameters")).remove("org");
        if (list.path("multiValueQueryStringParameters") instanceof ObjectNode multi) {
            multi.remove("org");
        }
        write(out, "ListTokens", withHeader(list, "Authorization", "Bearer " + token));

        // The baseline reads the client row by its id, as a sample's GET /items/{id} would.
        ObjectNode baseline = read(events, "GetJwksFunction");
        baseline.putObject("pathParameters").put("id", clientId);
        write(out, "Baseline", baseline);

        System.out.println(clientId + " " + secret);
        System.exit(0);
    }

    private static ObjectNode read(Path events, String function) throws Exception {
        return (ObjectNode) JSON.readTree(Files.readString(events.resolve(function + ".json")));
    }

    private static void write(Path out, String name, JsonNode event) throws Exception {
        Files.writeString(out.resolve(name + ".json"), JSON.writeValueAsString(event));
    }

    private static ObjectNode withHeader(ObjectNode event, String name, String value) {
        removeHeader(event, name);
        ((ObjectNode) event.path("headers")).put(name, value);
        ObjectNode multi = (ObjectNode) event.path("multiValueHeaders");
        multi.putArray(name).add(value);
        return event;
    }

    private static void removeHeader(ObjectNode event, String name) {
        for (String field : List.of("headers", "multiValueHeaders")) {
            if (event.path(field) instanceof ObjectNode headers) {
                List.copyOf(iterable(headers.fieldNames())).stream()
                        .filter(n -> n.equalsIgnoreCase(name)).forEach(headers::remove);
            }
        }
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
