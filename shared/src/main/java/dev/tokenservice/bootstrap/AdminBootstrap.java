package dev.tokenservice.bootstrap;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.oauth.token.ClientCredentialsGrant;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.storage.Tables;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactPutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Creates the first admin client, once per deployment: a marker row and the client are written in one
 * transaction that fails if the marker exists, so two concurrent starts cannot both create one. The secret
 * is returned to the caller this one time and stored only as a hash.
 */
public final class AdminBootstrap {

    static final String MARKER_ID = "bootstrap-admin-marker";

    private final Tables tables;
    private final SecretHasher hasher;
    private final Clock clock;

    public AdminBootstrap(Tables tables, SecretHasher hasher, Clock clock) {
        this.tables = tables;
        this.hasher = hasher;
        this.clock = clock;
    }

    /** The new admin's credentials, or empty when this deployment was bootstrapped before. */
    public Optional<AdminCredentials> createFirstAdmin() {
        String clientId = UUID.randomUUID().toString();
        String secret = SecretHasher.newSecret();
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();

        ClientItem marker = new ClientItem();
        marker.setClientId(MARKER_ID);
        marker.setDescription("records that the first admin client was created: " + clientId);
        marker.setCreatedOn(now);

        ClientItem admin = new ClientItem();
        admin.setClientId(clientId);
        admin.setSecretHash(hasher.hash(secret));
        admin.setName("bootstrap admin");
        admin.setDescription("first administrator client, created by the bootstrap");
        admin.setScopes(ServiceScopes.ALL);
        admin.setGrantTypes(List.of(ClientCredentialsGrant.GRANT_TYPE));
        admin.setAuthenticationMethods(List.of("client_secret_basic", "client_secret_post"));
        admin.setRedirectUris(List.of());
        admin.setAllowedOrigins(List.of());
        admin.setIsPublic(false);
        admin.setEnabled(true);
        admin.setCreatedOn(now);
        admin.setCreatedBy("bootstrap");
        admin.setModifiedOn(now);
        admin.setModifiedBy("bootstrap");

        Expression absent = Expression.builder().expression("attribute_not_exists(client_id)").build();
        try {
            tables.enhanced().transactWriteItems(TransactWriteItemsEnhancedRequest.builder()
                    .addPutItem(tables.of(ClientSchema.TABLE), TransactPutItemEnhancedRequest.builder(ClientItem.class)
                            .item(marker).conditionExpression(absent).build())
                    .addPutItem(tables.of(ClientSchema.TABLE), TransactPutItemEnhancedRequest.builder(ClientItem.class)
                            .item(admin).conditionExpression(absent).build())
                    .build());
        } catch (TransactionCanceledException cancelled) {
            boolean alreadyBootstrapped = cancelled.cancellationReasons().stream()
                    .anyMatch(reason -> "ConditionalCheckFailed".equals(reason.code()));
            if (alreadyBootstrapped) {
                return Optional.empty();
            }
            throw cancelled;
        }
        return Optional.of(new AdminCredentials(clientId, secret, String.join(" ", ServiceScopes.ALL)));
    }

    public record AdminCredentials(String clientId, String clientSecret, String scope) {
    }
}
