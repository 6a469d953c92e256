package dev.tokenservice.clients;

import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.Log;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.ExpiryShards;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The client registry behind the DocSpace client management API. Admins (clients:admin) act on every
 * client of the tenant, users (clients:write) on the clients they registered; to anyone else a client
 * does not exist. Every change is a conditional write, so concurrent changes never lose one another.
 */
public final class ClientRegistry {

    private static final Pattern UUID_FORMAT =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final int CONFLICT_RETRIES = 8;
    static final String SECRET_POST = "client_secret_post";
    static final String NONE = "none";

    private final Tables tables;
    /** Loaded on first use: only the handlers that set secrets need the pepper (and its Secrets Manager call). */
    private final Supplier<SecretHasher> hasher;
    private final Clock clock;
    private final RegistryLimits limits;
    /** What a new client may use: every grant the token endpoint serves. */
    private final List<String> grantTypes;
    /** Whether a jwks_uri may be plain http to a loopback host (the local runner and tests only). */
    private final boolean loopbackHttpJwksUri;

    public ClientRegistry(Tables tables, Supplier<SecretHasher> hasher, Clock clock, RegistryLimits limits,
            List<String> grantTypes, boolean loopbackHttpJwksUri) {
        this.tables = tables;
        this.hasher = hasher;
        this.clock = clock;
        this.limits = limits;
        this.grantTypes = List.copyOf(grantTypes);
        this.loopbackHttpJwksUri = loopbackHttpJwksUri;
    }

    /** Tenant id, quotas, and how long a revocation record must outlive the tokens it covers. */
    public record RegistryLimits(long tenant, int clientsPerOwner, int clientsPerTenant, Duration longestTokenLifetime) {
    }

    public record CreatedClient(ClientItem client, String secret) {
    }

    public record Page(List<ClientItem> clients, Optional<ClientItem> last, int limit) {
    }

    public CreatedClient create(Caller caller, NewClient request) {
        requireRegistrar(caller);
        for (String scope : request.scopes()) {
            var known = ScopeCatalog.find(scope)
                    .orElseThrow(() -> JsonBody.invalid("scopes: '" + scope + "' is not a known scope"));
            if (known.administrative() && !caller.hasScope(scope)) {
                throw JsonBody.invalid("scopes: '" + scope + "' can only be granted by a caller that holds it");
            }
        }
        String now = Timestamps.format(clock.instant());
        List<String> methods = authenticationMethods(request.authMethod(), request.allowPkce());
        boolean secretClient = methods.contains(ClientAuthMethods.SECRET_POST)
                || methods.contains(ClientAuthMethods.SECRET_BASIC);
        // A client that authenticates with a key, or not at all, has no secret: there is nothing to leak.
        String secret = secretClient ? SecretHasher.newSecret() : null;
        ClientItem client = new ClientItem();
        client.setClientId(UUID.randomUUID().toString());
        if (secretClient) {
            client.setSecretHash(hasher.get().hash(secret));
            client.setSecretCreatedOn(now);
        }
        if (request.keys() != null) {
            applyKeys(client, request.keys());
        }
        client.setName(request.name());
        client.setDescription(request.description());
        client.setLogo(request.logo());
        client.setWebsiteUrl(request.websiteUrl());
        client.setTermsUrl(request.termsUrl());
        client.setPolicyUrl(request.policyUrl());
        client.setLogoutRedirectUris(List.of(request.logoutRedirectUri()));
        client.setRedirectUris(request.redirectUris());
        client.setAllowedOrigins(request.allowedOrigins());
        client.setScopes(request.scopes());
        client.setAuthenticationMethods(methods);
        client.setGrantTypes(grantTypes);
        client.setResources(request.resources());
        client.setRequirePushedAuthorizationRequests(request.requirePushedAuthorizationRequests() ? true : null);
        client.setDpopBoundAccessTokens(request.dpopBoundAccessTokens() ? true : null);
        client.setTenant(limits.tenant());
        client.setIsPublic(true);
        client.setEnabled(true);
        client.setCreatedOn(now);
        client.setCreatedBy(caller.subject());
        client.setModifiedOn(now);
        client.setModifiedBy(caller.subject());
        client.setVersion(1L);

        Map<String, AttributeValue> row = ClientSchema.SCHEMA.itemToMap(client, true);
        transact(List.of(
                TransactWriteItem.builder().put(p -> p.tableName(tables.of(ClientSchema.TABLE).tableName()).item(row)
                        .conditionExpression("attribute_not_exists(client_id)")).build(),
                countClient(ownerCounter(caller.subject()), 1, limits.clientsPerOwner()),
                countClient(tenantCounter(), 1, limits.clientsPerTenant())),
                reasons -> {
                    if (failedCondition(reasons, 1)) {
                        throw JsonBody.invalid("User has reached the maximum allowed number of clients ("
                                + limits.clientsPerOwner() + ")");
                    }
                    if (failedCondition(reasons, 2)) {
                        throw JsonBody.invalid("Tenant has reached the maximum allowed number of clients ("
                                + limits.clientsPerTenant() + ")");
                    }
                });
        return new CreatedClient(client, secret);
    }

    /** The client as its owner or an admin sees it; 404 for anyone else, for unknown and malformed ids. */
    public ClientItem get(Caller caller, String clientId) {
        return find(clientId).filter(client -> visibleTo(caller, client)).orElseThrow(ClientRegistry::notFound);
    }

    /** The public face of any registered client (consent screens show it). */
    public ClientItem info(String clientId) {
        return find(clientId).filter(client -> client.getTenant() != null).orElseThrow(ClientRegistry::notFound);
    }

    /**
     * The client a change may apply to. In the order the seed's answers are listed: 400 for an id that is not a
     * UUID ("Invalid client ID format"), 403 for a caller without a client-management scope ("Insufficient
     * permissions"), then 404 for a client that does not exist or belongs to someone else.
     */
    private ClientItem changeable(Caller caller, String clientId) {
        requireClientIdFormat(clientId);
        if (!caller.hasScope(ServiceScopes.CLIENTS_ADMIN) && !caller.hasScope(ServiceScopes.CLIENTS_WRITE)) {
            throw new ApiError(403, "access_denied", "Insufficient permissions: changing clients needs the scope "
                    + ServiceScopes.CLIENTS_WRITE);
        }
        return get(caller, clientId);
    }

    /** 400 "Invalid client ID format" unless the id is a UUID (what the seed's change operations answer). */
    public static void requireClientIdFormat(String clientId) {
        if (clientId == null || !UUID_FORMAT.matcher(clientId).matches()) {
            throw JsonBody.invalid("clientId: Invalid client ID format (a UUID is expected)");
        }
    }

    public void update(Caller caller, String clientId, ClientChanges changes) {
        mutate(caller, clientId, client -> {
            client.setName(changes.name());
            client.setDescription(changes.description());
            client.setLogo(changes.logo());
            client.setAllowedOrigins(changes.allowedOrigins());
            if (changes.keys() != null) {
                if (!client.usesPrivateKeyJwt()) {
                    throw JsonBody.invalid((changes.keys().jwks() != null ? "jwks" : "jwks_uri")
                            + ": only a client registered for private_key_jwt has keys");
                }
                applyKeys(client, changes.keys());
            }
            if (changes.allowPkce() != null && client.usesPrivateKeyJwt()) {
                if (changes.allowPkce()) {
                    throw JsonBody.invalid("allow_pkce: a private_key_jwt client authenticates with its key and "
                            + "cannot also be a public client");
                }
            } else if (changes.allowPkce() != null && client.usesSecret()) {
                client.setAuthenticationMethods(authenticationMethods(ClientAuthMethods.of(client),
                        changes.allowPkce()));
            }
            if (changes.resources() != null) {
                client.setResources(changes.resources().isEmpty() ? null : changes.resources());
            }
            if (changes.requirePushedAuthorizationRequests() != null) {
                client.setRequirePushedAuthorizationRequests(changes.requirePushedAuthorizationRequests() ? true : null);
            }
            if (changes.dpopBoundAccessTokens() != null) {
                client.setDpopBoundAccessTokens(changes.dpopBoundAccessTokens() ? true : null);
            }
            return null;
        });
    }

    public void changeActivation(Caller caller, String clientId, boolean enabled) {
        mutate(caller, clientId, client -> {
            client.setEnabled(enabled);
            return null;
        });
    }

    /**
     * A new secret; the old one, and a previous secret still in its overlap, stop working at the token endpoint
     * with this write (DocSpace's regenerate).
     */
    public String regenerateSecret(Caller caller, String clientId) {
        return mutate(caller, clientId, client -> {
            requireSecretClient(client);
            String secret = SecretHasher.newSecret();
            client.setSecretHash(hasher.get().hash(secret));
            client.setSecretCreatedOn(Timestamps.format(clock.instant()));
            clearPreviousSecret(client);
            return secret;
        });
    }

    /** The longest overlap a rotation may keep the previous secret for. */
    public static final Duration LONGEST_OVERLAP = Duration.ofDays(30);

    /**
     * A new secret, while the current one keeps working for the overlap (then stops by the clock, whatever TTL
     * does): the client's deployments switch over without a moment in which neither works. Only two secrets exist
     * at a time, so a rotation while an earlier overlap lasts is refused (409) rather than ending that overlap
     * unasked; end it first.
     */
    public RotatedSecret rotateSecret(Caller caller, String clientId, Duration overlap) {
        if (overlap.isNegative() || overlap.isZero() || overlap.compareTo(LONGEST_OVERLAP) > 0) {
            throw JsonBody.invalid("overlap_seconds: must be between 1 and " + LONGEST_OVERLAP.toSeconds());
        }
        return mutate(caller, clientId, client -> {
            requireSecretClient(client);
            Instant now = clock.instant();
            if (client.previousSecretLiveAt(now)) {
                throw new ApiError(409, "conflict", "the previous secret is still in its overlap until "
                        + Timestamps.format(Instant.ofEpochSecond(client.getPreviousSecretExpiresAt()))
                        + "; end the overlap (DELETE .../secrets/previous) before rotating again");
            }
            String secret = SecretHasher.newSecret();
            client.setPreviousSecretHash(client.getSecretHash());
            client.setPreviousSecretCreatedOn(client.getSecretCreatedOn());
            client.setPreviousSecretExpiresAt(now.plus(overlap).getEpochSecond());
            client.setSecretHash(hasher.get().hash(secret));
            client.setSecretCreatedOn(Timestamps.format(now));
            return new RotatedSecret(secret, client);
        });
    }

    /** The new secret (shown this once) and the client as stored after the rotation. */
    public record RotatedSecret(String secret, ClientItem client) {
    }

    /** The client whose secrets' times are to be listed (never the values, never the hashes). */
    public ClientItem secrets(Caller caller, String clientId) {
        ClientItem client = changeable(caller, clientId);
        requireSecretClient(client);
        return client;
    }

    /** Ends the overlap now: only the current secret authenticates from this write on. */
    public ClientItem endOverlap(Caller caller, String clientId) {
        return mutate(caller, clientId, client -> {
            requireSecretClient(client);
            clearPreviousSecret(client);
            return client;
        });
    }

    private static void clearPreviousSecret(ClientItem client) {
        client.setPreviousSecretHash(null);
        client.setPreviousSecretCreatedOn(null);
        client.setPreviousSecretExpiresAt(null);
    }

    private static void requireSecretClient(ClientItem client) {
        if (!client.usesSecret()) {
            throw JsonBody.invalid("clientId: the client authenticates with " + ClientAuthMethods.of(client)
                    + ", not a secret");
        }
    }

    private void applyKeys(ClientItem client, ClientKeys keys) {
        if (keys.jwksUri() != null) {
            ClientKeys.jwksUri(keys.jwksUri(), loopbackHttpJwksUri, JsonBody::invalid);
        }
        client.setJwks(keys.jwks());
        client.setJwksUri(keys.jwksUri());
    }

    /**
     * Deletes the client and, in the same transaction, records that every token it was issued is revoked:
     * one write, however many tokens there are. Its consents go right after. The record covers every issue
     * time, not only up to now: a client id is never used again, and a refresh or code redemption that
     * authenticated the client just before the delete may still issue tokens just after it.
     */
    public void delete(Caller caller, String clientId) {
        ClientItem client = changeable(caller, clientId);
        Instant now = clock.instant();
        long keepUntil = now.plus(limits.longestTokenLifetime()).getEpochSecond();
        Map<String, AttributeValue> revocation = new HashMap<>(Map.of(
                "token_key", AttributeValue.fromS(TokenKeys.clientRevocation(clientId)),
                "kind", AttributeValue.fromS(TokenKeys.REVOCATION),
                "revoked_at", AttributeValue.fromN(Long.toString(Long.MAX_VALUE)),
                "ttl", AttributeValue.fromN(Long.toString(keepUntil))));
        revocation.putAll(ExpiryShards.attributes(keepUntil, TokenKeys.clientRevocation(clientId)));
        // Due at once: should the consent removal below fail, the scheduled cleanup finishes it.
        Map<String, AttributeValue> consentTask = new HashMap<>(Map.of(
                "token_key", AttributeValue.fromS(TokenKeys.consentCleanup(clientId)),
                "kind", AttributeValue.fromS(TokenKeys.HOUSEKEEPING),
                "ttl", AttributeValue.fromN(Long.toString(keepUntil))));
        consentTask.putAll(ExpiryShards.taskAttributes(now.getEpochSecond()));
        transact(List.of(
                TransactWriteItem.builder().delete(d -> d.tableName(tables.of(ClientSchema.TABLE).tableName())
                        .key(Map.of("client_id", AttributeValue.fromS(clientId)))
                        .conditionExpression("attribute_exists(client_id)")).build(),
                countClient(ownerCounter(client.getCreatedBy()), -1, 0),
                countClient(tenantCounter(), -1, 0),
                TransactWriteItem.builder().put(p -> p.tableName(tables.of(TokenSchema.TABLE).tableName()).item(revocation)).build(),
                TransactWriteItem.builder().put(p -> p.tableName(tables.of(TokenSchema.TABLE).tableName()).item(consentTask)).build()),
                reasons -> {
                    if (failedCondition(reasons, 0)) {
                        throw notFound();
                    }
                });
        try {
            new ConsentCleanup(tables).deleteConsentsOf(clientId);
        } catch (RuntimeException leftOver) {
            // The client and its tokens are gone already; a consent naming a missing client grants nothing
            // and the scheduled cleanup removes it.
            Log.warn("consents of a deleted client left for cleanup", "client_id", clientId,
                    "exception", leftOver.getClass().getSimpleName());
        }
    }

    public Page list(Caller caller, int limit, Optional<String> lastClientId, Optional<Instant> lastCreatedOn) {
        boolean admin = caller.hasScope(ServiceScopes.CLIENTS_ADMIN);
        if (!admin && !caller.hasScope(ServiceScopes.CLIENTS_WRITE)) {
            return new Page(List.of(), Optional.empty(), limit);
        }
        return page(admin ? ClientSchema.CLIENTS_BY_TENANT : ClientSchema.CLIENTS_BY_CREATOR,
                admin ? Key.builder().partitionValue(limits.tenant()).build()
                        : Key.builder().partitionValue(caller.subject()).build(),
                limit, lastClientId, lastCreatedOn);
    }

    /** Every client of the tenant, for the info listing that any signed-in caller may read. */
    public Page listInfo(int limit, Optional<String> lastClientId, Optional<Instant> lastCreatedOn) {
        return page(ClientSchema.CLIENTS_BY_TENANT, Key.builder().partitionValue(limits.tenant()).build(),
                limit, lastClientId, lastCreatedOn);
    }

    private Page page(String index, Key partition, int limit, Optional<String> lastClientId,
            Optional<Instant> lastCreatedOn) {
        QueryEnhancedRequest.Builder query = QueryEnhancedRequest.builder()
                .scanIndexForward(false)
                .limit(limit + 1);
        Optional<String> cursorTime = lastCreatedOn.map(Timestamps::format)
                .or(() -> lastClientId.flatMap(this::find).map(ClientItem::getCreatedOn));
        if (cursorTime.isPresent() && lastClientId.isPresent()) {
            Map<String, AttributeValue> start = new HashMap<>();
            start.put("client_id", AttributeValue.fromS(lastClientId.get()));
            start.put("created_on", AttributeValue.fromS(cursorTime.get()));
            if (ClientSchema.CLIENTS_BY_TENANT.equals(index)) {
                start.put("tenant", AttributeValue.fromN(Long.toString(limits.tenant())));
            } else {
                start.put("created_by", partition.partitionKeyValue());
            }
            query.queryConditional(QueryConditional.keyEqualTo(partition)).exclusiveStartKey(start);
        } else if (cursorTime.isPresent()) {
            query.queryConditional(QueryConditional.sortLessThan(
                    Key.builder().partitionValue(partition.partitionKeyValue()).sortValue(cursorTime.get()).build()));
        } else {
            query.queryConditional(QueryConditional.keyEqualTo(partition));
        }
        // Pages of the index stop at 1 MB (logos are large); items() follows them until limit + 1 rows.
        List<ClientItem> rows = tables.of(ClientSchema.TABLE).index(index).query(query.build()).stream()
                .flatMap(page -> page.items().stream())
                .limit(limit + 1L)
                .toList();
        boolean more = rows.size() > limit;
        List<ClientItem> clients = more ? rows.subList(0, limit) : rows;
        return new Page(clients, more ? Optional.of(clients.get(clients.size() - 1)) : Optional.empty(), limit);
    }

    private <T> T mutate(Caller caller, String clientId, Function<ClientItem, T> change) {
        for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
            ClientItem client = changeable(caller, clientId);
            T result = change.apply(client);
            client.setModifiedOn(Timestamps.format(clock.instant()));
            client.setModifiedBy(caller.subject());
            try {
                tables.of(ClientSchema.TABLE).putItem(client);
                return result;
            } catch (ConditionalCheckFailedException concurrentChange) {
                // Another writer changed or deleted the client since the read: read again and reapply.
                backOff(attempt);
            }
        }
        throw new ApiError(400, "conflict", "the client could not be changed due to concurrent access, retry");
    }

    private Optional<ClientItem> find(String clientId) {
        if (clientId == null || !UUID_FORMAT.matcher(clientId).matches()) {
            return Optional.empty();
        }
        String key = clientId.toLowerCase(java.util.Locale.ROOT);
        return Optional.ofNullable(tables.of(ClientSchema.TABLE).getItem(r -> r.key(k -> k.partitionValue(key)).consistentRead(true)));
    }

    private boolean visibleTo(Caller caller, ClientItem client) {
        if (client.getTenant() == null) {
            return false;
        }
        if (caller.hasScope(ServiceScopes.CLIENTS_ADMIN)) {
            return true;
        }
        return caller.hasScope(ServiceScopes.CLIENTS_WRITE) && caller.subject().equals(client.getCreatedBy());
    }

    private static void requireRegistrar(Caller caller) {
        if (!caller.hasScope(ServiceScopes.CLIENTS_ADMIN) && !caller.hasScope(ServiceScopes.CLIENTS_WRITE)) {
            throw new ApiError(403, "access_denied", "access denied: registering clients needs the scope "
                    + ServiceScopes.CLIENTS_WRITE);
        }
    }

    /** As registered; DocSpace's own clients (no method given) use secrets, and allow_pkce adds "none". */
    private static List<String> authenticationMethods(String method, boolean allowPkce) {
        if (ClientAuthMethods.PRIVATE_KEY_JWT.equals(method) || ClientAuthMethods.NONE.equals(method)) {
            return List.of(method);
        }
        String secretMethod = method == null ? SECRET_POST : method;
        return allowPkce ? List.of(secretMethod, NONE) : List.of(secretMethod);
    }

    private String ownerCounter(String owner) {
        return "quota#owner#" + owner;
    }

    private String tenantCounter() {
        return "quota#tenant#" + limits.tenant();
    }

    /** Adds delta to a quota counter row; an increment fails its condition once the quota is reached. */
    private TransactWriteItem countClient(String counterId, int delta, int quota) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":delta", AttributeValue.fromN(Integer.toString(delta)));
        String condition = null;
        if (delta > 0) {
            values.put(":quota", AttributeValue.fromN(Integer.toString(quota)));
            condition = "attribute_not_exists(client_count) OR client_count < :quota";
        }
        String finalCondition = condition;
        return TransactWriteItem.builder().update(u -> u.tableName(tables.of(ClientSchema.TABLE).tableName())
                .key(Map.of("client_id", AttributeValue.fromS(counterId)))
                .updateExpression("ADD client_count :delta")
                .conditionExpression(finalCondition)
                .expressionAttributeValues(values)).build();
    }

    private void transact(List<TransactWriteItem> writes, java.util.function.Consumer<List<CancellationReason>> onCancel) {
        for (int attempt = 0; ; attempt++) {
            try {
                tables.dynamoDb().transactWriteItems(r -> r.transactItems(writes));
                return;
            } catch (TransactionCanceledException cancelled) {
                List<CancellationReason> reasons = cancelled.hasCancellationReasons()
                        ? cancelled.cancellationReasons() : new ArrayList<>();
                onCancel.accept(reasons);
                boolean conflict = reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()));
                if (!conflict || attempt >= CONFLICT_RETRIES) {
                    throw cancelled;
                }
                backOff(attempt);
            }
        }
    }

    /** Jittered, so that writers contending for one quota counter do not collide again in step. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 20L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean failedCondition(List<CancellationReason> reasons, int index) {
        return reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }

    private static ApiError notFound() {
        return new ApiError(404, "not_found", "client not found");
    }
}
