package dev.tokenservice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.config.AwsClients;
import dev.tokenservice.config.Settings;
import dev.tokenservice.storage.TableDefinitions;
import dev.tokenservice.storage.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Creates the tables from template.yaml and one client_credentials client; prints its id and secret. */
public final class Seed {

    public static void main(String[] args) throws Exception {
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
        client.setScopes(List.of("tokens:admin"));
        client.setGrantTypes(List.of("client_credentials"));
        client.setEnabled(true);
        new Tables(dynamoDb, settings).clients().putItem(client);
        System.out.println(clientId + " " + secret);
    }
}
