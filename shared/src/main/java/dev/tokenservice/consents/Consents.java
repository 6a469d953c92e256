package dev.tokenservice.consents;

import dev.tokenservice.auth.Caller;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.ExpiryShards;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import dev.tokenservice.tokens.TokenSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** A principal's consents: listing them, and revoking one together with every token issued under it. */
public final class Consents {

    private final Tables tables;
    private final Clock clock;
    private final Duration longestTokenLifetime;
    private final TokenRepository tokens;

    public Consents(Tables tables, Clock clock, Duration longestTokenLifetime) {
        this.tables = tables;
        this.tokens = new TokenRepository(tables);
        this.clock = clock;
        this.longestTokenLifetime = longestTokenLifetime;
    }

    public record Listed(ConsentItem consent, Optional<ClientItem> client) {
    }

    public record Page(List<Listed> consents, Optional<String> lastModifiedOn, int limit) {
    }

    /**
     * Removes the caller's consent for the client and, in the same transaction, revokes every token the
     * caller holds at that client: one revocation record, however many tokens there are, written once more
     * after the transaction (TokenRepository#revokeGrantsUpToNow says why).
     */
    public void revoke(Caller caller, ClientItem client) {
        Instant now = clock.instant();
        String revocationKey = TokenKeys.subjectAtClientRevocation(client.getClientId(), caller.subject());
        long keepUntil = now.plus(longestTokenLifetime).getEpochSecond();
        Map<String, AttributeValue> consentKey = Map.of(
                "client_id", AttributeValue.fromS(client.getClientId()),
                "principal", AttributeValue.fromS(caller.subject()));
        Map<String, AttributeValue> revocation = new HashMap<>(Map.of(
                ":kind", AttributeValue.fromS(TokenKeys.REVOCATION),
                ":at", AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                ":keep", AttributeValue.fromN(Long.toString(keepUntil)),
                ":shard", AttributeValue.fromS(ExpiryShards.of(keepUntil, revocationKey))));
        try {
            tables.dynamoDb().transactWriteItems(r -> r.transactItems(
                    TransactWriteItem.builder().delete(d -> d.tableName(tables.consentsTableName()).key(consentKey))
                            .build(),
                    TransactWriteItem.builder().update(u -> u.tableName(tables.of(TokenSchema.TABLE).tableName())
                            .key(Map.of("token_key", AttributeValue.fromS(revocationKey)))
                            .updateExpression("SET kind = :kind, revoked_at = :at, #ttl = :keep, expires_at = :keep, "
                                    + "expiry_shard = :shard")
                            // never lowering a later cut-off a concurrent end wrote
                            .conditionExpression("attribute_not_exists(revoked_at) OR revoked_at < :at")
                            .expressionAttributeNames(Map.of("#ttl", "ttl"))
                            .expressionAttributeValues(revocation)).build()));
        } catch (TransactionCanceledException cancelled) {
            List<CancellationReason> reasons = cancelled.cancellationReasons();
            if (reasons.size() < 2 || !"ConditionalCheckFailed".equals(reasons.get(1).code())) {
                throw cancelled;
            }
            // A record reaching at least as far is there already: the consent goes alone.
            tables.dynamoDb().deleteItem(d -> d.tableName(tables.consentsTableName()).key(consentKey));
        }
        tokens.restamp(revocationKey, clock, longestTokenLifetime);
    }

    /** The caller's consents, most recently changed first, with the client each one names (null when gone). */
    public Page list(Caller caller, int limit, Optional<Instant> lastModifiedOn) {
        Key partition = Key.builder().partitionValue(caller.subject()).build();
        QueryConditional condition = lastModifiedOn
                .map(cursor -> QueryConditional.sortLessThan(Key.builder().partitionValue(caller.subject())
                        .sortValue(Timestamps.format(cursor)).build()))
                .orElse(QueryConditional.keyEqualTo(partition));
        List<ConsentItem> rows = tables.of(ConsentSchema.TABLE).index(ConsentSchema.CONSENTS_BY_PRINCIPAL)
                .query(QueryEnhancedRequest.builder().queryConditional(condition).scanIndexForward(false)
                        .limit(limit + 1).build())
                .stream().flatMap(page -> page.items().stream()).limit(limit + 1L).toList();
        boolean more = rows.size() > limit;
        List<ConsentItem> consents = more ? rows.subList(0, limit) : rows;
        Map<String, ClientItem> clients = clientsOf(consents);
        List<Listed> listed = consents.stream()
                .map(consent -> new Listed(consent, Optional.ofNullable(clients.get(consent.getClientId()))))
                .toList();
        return new Page(listed, more ? Optional.of(consents.get(consents.size() - 1).getModifiedAt()) : Optional.empty(),
                limit);
    }

    /** Strongly consistent like every read of a client: a client deleted a moment ago is shown as gone. */
    private Map<String, ClientItem> clientsOf(List<ConsentItem> consents) {
        List<String> ids = consents.stream().map(ConsentItem::getClientId).distinct().toList();
        return new BatchLookup(tables).add(tables.of(ClientSchema.TABLE), ClientItem.class, ids)
                .rows(tables.of(ClientSchema.TABLE), ClientItem::getClientId);
    }

}
