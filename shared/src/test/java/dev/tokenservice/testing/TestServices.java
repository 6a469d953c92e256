package dev.tokenservice.testing;

import com.nimbusds.jose.JWSAlgorithm;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.config.Settings;
import dev.tokenservice.signing.LocalKeyFile;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.wiring.Services;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The production object graph over DynamoDB Local, fresh tables per call, a local RSA key (generated once
 * per JVM) and a random pepper: tests exercise the same code Lambda runs, with only the edges swapped.
 */
public final class TestServices {

    public static final String ISSUER = "https://issuer.test";
    private static SigningKeys rsaKeys;
    private static Path sealingKeyFile;

    private TestServices() {
    }

    public static Services create(Clock clock) {
        return create(clock, Map.of());
    }

    public static Services create(Clock clock, Map<String, String> extraSettings) {
        return create(clock, extraSettings, DynamoDbLocal.shared().endpoint());
    }

    /** The graph with DynamoDB reached at the given endpoint (a dead one simulates an outage). */
    public static Services create(Clock clock, Map<String, String> extraSettings, String dynamoDbEndpoint) {
        Map<String, String> values = new HashMap<>(DynamoDbLocal.shared().freshTables());
        values.put("LOCAL_SEALING_KEY_FILE", sealingKeyFile().toString());
        values.putAll(extraSettings);
        Settings settings = Settings.of(values);
        byte[] pepper = new byte[32];
        new SecureRandom().nextBytes(pepper);
        return new Services(settings, clock,
                () -> new Tables(DynamoDbLocal.clientFor(dynamoDbEndpoint), settings),
                TestServices::rsaKeys,
                () -> new SecretHasher(pepper));
    }

    /** A local sealing key (created on first use) shared by the JVM's tests, so stored tokens can be read back. */
    public static synchronized Path sealingKeyFile() {
        if (sealingKeyFile == null) {
            try {
                sealingKeyFile = Files.createTempDirectory("sealing").resolve("sealing-key");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sealingKeyFile;
    }

    /**
     * The graph over the shared DynamoDB Local with failures injectable into its DynamoDB client, signing
     * with the given keys (e.g. a KMS key reached through a client with its own {@link Faults}).
     */
    public static Services create(Clock clock, Map<String, String> extraSettings, Faults dynamoDbFaults,
            java.util.function.Supplier<SigningKeys> signingKeys) {
        Map<String, String> values = new HashMap<>(DynamoDbLocal.shared().freshTables());
        values.putAll(extraSettings);
        Settings settings = Settings.of(values);
        byte[] pepper = new byte[32];
        new SecureRandom().nextBytes(pepper);
        return new Services(settings, clock,
                () -> new Tables(DynamoDbLocal.clientFor(DynamoDbLocal.shared().endpoint(), dynamoDbFaults), settings),
                signingKeys,
                () -> new SecretHasher(pepper));
    }

    public static synchronized SigningKeys rsaKeys() {
        if (rsaKeys == null) {
            try {
                Path file = Files.createTempDirectory("signing").resolve("key.json");
                rsaKeys = LocalKeyFile.loadOrCreate(file, JWSAlgorithm.RS256);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return rsaKeys;
    }

    /** Registers a confidential client_credentials client and returns it with its plaintext secret. */
    public static RegisteredClient registerClient(Services services, List<String> scopes) {
        return registerClient(services, UUID.randomUUID().toString(), SecretHasher.newSecret(), scopes, true);
    }

    public static RegisteredClient registerClient(
            Services services, String clientId, String secret, List<String> scopes, boolean enabled) {
        String now = Instant.now(services.clock()).truncatedTo(ChronoUnit.SECONDS).toString();
        ClientItem client = new ClientItem();
        client.setClientId(clientId);
        client.setSecretHash(services.secretHasher().hash(secret));
        client.setName("test client");
        client.setScopes(scopes);
        client.setGrantTypes(List.of("client_credentials"));
        client.setAuthenticationMethods(List.of("client_secret_basic", "client_secret_post"));
        client.setEnabled(enabled);
        client.setIsPublic(false);
        client.setCreatedOn(now);
        client.setCreatedBy("test");
        client.setModifiedOn(now);
        client.setModifiedBy("test");
        services.clientRepository().create(client);
        return new RegisteredClient(clientId, secret);
    }

    /**
     * Changes a registered client's row behind the API's back (an operator's edit, or a state the API does not
     * offer), as the next consistent read will see it.
     */
    public static void changeClient(Services services, String clientId, Consumer<ClientItem> change) {
        ClientItem client = services.clientRepository().find(clientId).orElseThrow();
        change.accept(client);
        services.tables().of(ClientSchema.TABLE).putItem(client);
    }

    public record RegisteredClient(String clientId, String secret) {
    }
}
