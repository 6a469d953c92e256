package dev.tokenservice.tokens;

import dev.tokenservice.caching.ClientCache;
import dev.tokenservice.concurrent.SideBySide;
import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Reads and writes of the tokens table. */
public final class TokenRepository {

    private final Tables tables;
    private final DynamoDbTable<TokenItem> table;
    private final TokenPairs pairs;
    private final ClientCache<?, TokenItem> clientCache;

    /** Always consistent: every revocation record is read at each verification. */
    public TokenRepository(Tables tables) {
        this(tables, ClientCache.alwaysConsistent());
    }

    /** Verification may take a client's client-level revocation record from the container's client cache. */
    public TokenRepository(Tables tables, ClientCache<?, TokenItem> clientCache) {
        this.tables = tables;
        this.table = tables.of(TokenSchema.TABLE);
        this.pairs = new TokenPairs(tables);
        this.clientCache = clientCache;
    }

    /**
     * Stores a new token; a key collision is refused rather than overwriting another token. An access token goes
     * on the listing and subject indexes (each sharded by its jti), on the org index when it was issued for an
     * organisation (Agilicus), and, when due, has its (subject, client) pair
     * record written beside it, in the same round trip.
     */
    public void create(TokenItem item) {
        if (item.getExpiresAt() != null && item.getExpiryShard() == null) {
            // On the expiry index, so that the scheduled cleanup removes it once it has expired.
            item.setExpiryShard(ExpiryShards.of(item.getExpiresAt(), item.getTokenKey()));
        }
        boolean accessToken = TokenKeys.ACCESS_TOKEN.equals(item.getKind());
        if (accessToken) {
            String jti = item.getTokenKey().substring(TokenKeys.accessToken("").length());
            if (item.getListShard() == null) {
                item.setListShard(TokenKeys.listShard(jti));
            }
            if (item.getSubjectShard() == null && item.getSubject() != null) {
                item.setSubjectShard(TokenKeys.subjectShard(item.getSubject(), jti));
            }
            if (item.getOrgShard() == null && item.getOrg() != null) {
                item.setOrgShard(TokenKeys.orgShard(item.getOrg(), jti));
            }
        }
        CompletableFuture<Void> pair = accessToken && pairs.due(item) ? SideBySide.run(() -> pairs.record(item)) : null;
        table.putItem(PutItemEnhancedRequest.builder(TokenItem.class)
                .item(item)
                .conditionExpression(Expression.builder().expression("attribute_not_exists(token_key)").build())
                .build());
        if (pair != null) {
            SideBySide.join(pair);
        }
    }

    public void delete(String tokenKey) {
        table.deleteItem(Key.builder().partitionValue(tokenKey).build());
    }

    public Optional<TokenItem> find(String tokenKey) {
        return Optional.ofNullable(table.getItem(GetItemEnhancedRequest.builder()
                .key(Key.builder().partitionValue(tokenKey).build())
                .consistentRead(true)
                .build()));
    }

    /**
     * Revokes every covered token whose grant was issued up to this call: the cost of revoking a client's or a
     * user's tokens is two writes, however many tokens there are.
     *
     * <p>Why two: a record stamped t becomes visible some time after t, and a grant issued in between (a code
     * handed out while the write is in flight) was issued after the cut-off by someone who could not yet see
     * it. So the record is written again, stamped after the first write returned, when it was visible to every
     * strongly consistent read: every grant issued before the end became visible is covered, and a grant issued
     * after the second stamp was issued after it. Refreshes need no such care: a refreshed token carries its
     * grant's issue time (see {@link TokenItem#grantStart()}), so a refresh in flight when the record lands
     * issues tokens it covers, whatever their own time. The stamps are this container's clock against the
     * issuing container's: no margin is added, since a grant issued before the record was visible escapes only
     * if its issuer's clock is ahead of this one by more than the time from that issue to the second stamp (at
     * least the first write's return trip), and a margin would revoke grants made just after the end (a user
     * signing out and straight back in).
     */
    public void revokeGrantsUpToNow(String revocationKey, Clock clock, Duration keep) {
        recordRevocation(revocationKey, clock.millis(), clock.instant().plus(keep).getEpochSecond());
        restamp(revocationKey, clock, keep);
    }

    /**
     * The second write of {@link #revokeGrantsUpToNow} for a record whose first write went elsewhere (inside a
     * transaction): to be called once that write has returned.
     */
    public void restamp(String revocationKey, Clock clock, Duration keep) {
        recordRevocation(revocationKey, clock.millis(), clock.instant().plus(keep).getEpochSecond());
    }

    /**
     * Writes a record that revokes every covered token whose grant was issued up to revokedAtMillis; a record that
     * already reaches as far or further stays as it is, so that of concurrent ends the latest cut-off holds (and a
     * deleted client's record, which covers every time, is never lowered).
     */
    public void recordRevocation(String revocationKey, long revokedAtMillis, long keepUntilEpochSecond) {
        updateIf(revocationKey, "SET kind = :kind, revoked_at = :at, #ttl = :keep, expires_at = :keep, "
                        + "expiry_shard = :shard",
                "attribute_not_exists(revoked_at) OR revoked_at < :at",
                Map.of("#ttl", "ttl"),
                Map.of(":kind", AttributeValue.fromS(TokenKeys.REVOCATION),
                        ":at", AttributeValue.fromN(Long.toString(revokedAtMillis)),
                        ":keep", AttributeValue.fromN(Long.toString(keepUntilEpochSecond)),
                        ":shard", AttributeValue.fromS(ExpiryShards.of(keepUntilEpochSecond, revocationKey))));
    }

    /**
     * Revokes a whole session (token family) for good: unlike a consent, a session never comes back, so
     * the cut-off covers tokens issued after this write too (a refresh racing the revocation).
     */
    public void revokeSession(String session, long keepUntilEpochSecond) {
        // A plain put: no cut-off reaches further than this one, so it cannot lower another.
        String revocationKey = TokenKeys.sessionRevocation(session);
        TokenItem record = new TokenItem();
        record.setTokenKey(revocationKey);
        record.setKind(TokenKeys.REVOCATION);
        record.setRevokedAt(Long.MAX_VALUE);
        record.setTtl(keepUntilEpochSecond);
        record.setExpiresAt(keepUntilEpochSecond);
        record.setExpiryShard(ExpiryShards.of(keepUntilEpochSecond, revocationKey));
        table.putItem(record);
    }

    /**
     * Records a single-use value (an upstream sign-in's state, a DPoP proof's key and jti) the first time it is
     * presented: true then, false for every later or concurrent presentation. The row is on no index and DynamoDB's
     * TTL removes it; until then it refuses the value again, which its keeper no longer accepts by then anyway.
     */
    public boolean recordOnce(String key, long keepUntilEpochSecond) {
        return updateIf(key, "SET kind = :kind, #ttl = :keep", "attribute_not_exists(token_key)", Map.of("#ttl", "ttl"),
                Map.of(":kind", AttributeValue.fromS(key.substring(0, key.indexOf('#'))),
                        ":keep", AttributeValue.fromN(Long.toString(keepUntilEpochSecond))));
    }

    /** Marks one token revoked (never creating a row for a token that is not stored). */
    public void markRevoked(String tokenKey, long atMillis) {
        updateIf(tokenKey, "SET revoked = :yes, revoked_at = if_not_exists(revoked_at, :at)",
                "attribute_exists(token_key)",
                Map.of(":yes", AttributeValue.fromBool(true), ":at", AttributeValue.fromN(Long.toString(atMillis))));
    }

    /**
     * Uses a single-use value (authorization code, refresh token) exactly once: of concurrent callers one
     * gets true, every other false, whatever the timing.
     */
    public boolean consume(String tokenKey, long atMillis) {
        return updateIf(tokenKey, "SET consumed_at = :at",
                "attribute_exists(token_key) AND attribute_not_exists(consumed_at)",
                Map.of(":at", AttributeValue.fromN(Long.toString(atMillis))));
    }

    /**
     * Uses a single-use row of this client that has not expired, in one conditional UpdateItem that returns it: of
     * concurrent callers at most one gets it; empty when it is unknown, used, expired or another client's.
     */
    public Optional<TokenItem> takeOnce(String tokenKey, String clientId, long nowEpochSecond, long atMillis) {
        try {
            var answer = tables.dynamoDb().updateItem(r -> r.tableName(table.tableName())
                    .key(Map.of("token_key", AttributeValue.fromS(tokenKey)))
                    .updateExpression("SET consumed_at = :at")
                    .conditionExpression("attribute_exists(token_key) AND attribute_not_exists(consumed_at) "
                            + "AND client_id = :client AND expires_at > :now")
                    .expressionAttributeValues(Map.of(":at", AttributeValue.fromN(Long.toString(atMillis)),
                            ":client", AttributeValue.fromS(clientId),
                            ":now", AttributeValue.fromN(Long.toString(nowEpochSecond))))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW));
            return Optional.of(TokenSchema.SCHEMA.mapToItem(answer.attributes()));
        } catch (ConditionalCheckFailedException usedExpiredOrForeign) {
            return Optional.empty();
        }
    }

    /**
     * Records the user's answer to a device authorization (RFC 8628 §3.3) that is still pending and unexpired: the
     * decision and, for an approval, the person, session and grant time its tokens will carry. True when this call
     * decided; false when another answer came first or the device code has expired.
     */
    public boolean decideDevice(String tokenKey, TokenItem answer, long nowEpochSecond) {
        Map<String, AttributeValue> values = new java.util.HashMap<>();
        StringBuilder update = new StringBuilder("SET decision = :decision");
        values.put(":decision", AttributeValue.fromS(answer.getDecision()));
        values.put(":now", AttributeValue.fromN(Long.toString(nowEpochSecond)));
        Map<String, AttributeValue> approved = new java.util.LinkedHashMap<>();
        if (answer.getSubject() != null) {
            approved.put("subject", AttributeValue.fromS(answer.getSubject()));
        }
        if (answer.getSession() != null) {
            approved.put("#session", AttributeValue.fromS(answer.getSession()));
        }
        if (answer.getAuthTime() != null) {
            approved.put("auth_time", AttributeValue.fromN(Long.toString(answer.getAuthTime())));
        }
        if (answer.getUserClaims() != null) {
            approved.put("user_claims", AttributeValue.fromS(answer.getUserClaims()));
        }
        if (answer.getGrantIssuedAt() != null) {
            approved.put("grant_issued_at", AttributeValue.fromN(Long.toString(answer.getGrantIssuedAt())));
        }
        approved.forEach((name, value) -> {
            String placeholder = ":" + name.replace("#", "");
            update.append(", ").append(name).append(" = ").append(placeholder);
            values.put(placeholder, value);
        });
        return updateIf(tokenKey, update.toString(),
                "attribute_exists(token_key) AND attribute_not_exists(decision) AND expires_at > :now",
                approved.containsKey("#session") ? Map.of("#session", "session") : null, values);
    }

    /**
     * A poll of a pending device code (RFC 8628 §3.5): true when it came no sooner than the previous poll allowed,
     * the next poll then being due at nextPollAtMillis; false when it came too soon.
     */
    public boolean pollOnTime(String tokenKey, long nowMillis, long nextPollAtMillis) {
        return updateIf(tokenKey, "SET next_poll_at = :next",
                "attribute_exists(token_key) AND (attribute_not_exists(next_poll_at) OR next_poll_at <= :now)",
                Map.of(":next", AttributeValue.fromN(Long.toString(nextPollAtMillis)),
                        ":now", AttributeValue.fromN(Long.toString(nowMillis))));
    }

    /** A device code polled too soon: its client must wait this many seconds between polls from now on. */
    public void slowDown(String tokenKey, long intervalSeconds, long nextPollAtMillis) {
        updateIf(tokenKey, "SET poll_interval = :interval, next_poll_at = :next", "attribute_exists(token_key)",
                Map.of(":interval", AttributeValue.fromN(Long.toString(intervalSeconds)),
                        ":next", AttributeValue.fromN(Long.toString(nextPollAtMillis))));
    }

    /** One conditional UpdateItem of a row; false when the condition does not hold. */
    private boolean updateIf(String tokenKey, String update, String condition, Map<String, AttributeValue> values) {
        return updateIf(tokenKey, update, condition, null, values);
    }

    private boolean updateIf(String tokenKey, String update, String condition, Map<String, String> names,
            Map<String, AttributeValue> values) {
        try {
            tables.dynamoDb().updateItem(r -> r.tableName(table.tableName())
                    .key(Map.of("token_key", AttributeValue.fromS(tokenKey)))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException conditionFailed) {
            return false;
        }
    }

    /** The latest revocation cut-off (epoch ms) covering a token of this client, subject and session; -1 if none. */
    public long revokedUpTo(String clientId, String subject, String session) {
        return new StateLookup(null, clientId, subject, session, null).read().revokedUpToMillis();
    }

    /**
     * The stored state of an access token and of every revocation record that could cover it, in one
     * strongly consistent round trip.
     */
    public AccessTokenState accessTokenState(String jti, String clientId, String subject, String session) {
        return accessTokenLookup(jti, clientId, subject, session).read();
    }

    /** What decides an access token's state, for reading together with other rows in one {@link BatchLookup}. */
    public StateLookup accessTokenLookup(String jti, String clientId, String subject, String session) {
        return accessTokenLookup(jti, clientId, subject, session, null);
    }

    /** As above, for a token that descends from another client's grant (its grant_client_id claim). */
    public StateLookup accessTokenLookup(String jti, String clientId, String subject, String session,
            String grantClientId) {
        return new StateLookup(TokenKeys.accessToken(jti), clientId, subject, session, grantClientId);
    }

    /**
     * The token row (when a key is given) and the revocation records that could cover it; the client-level record
     * from the client cache while it is fresh there.
     */
    public final class StateLookup {

        private final String tokenKey;
        private final List<String> revocations;
        private final String clientId;
        private final String clientRecordKey;
        /** What the client cache answered for the client-level record: cached, or a read due (null: no client). */
        private final ClientCache.Answer<TokenItem> clientRecord;

        private StateLookup(String tokenKey, String clientId, String subject, String session, String grantClientId) {
            this.tokenKey = tokenKey;
            this.revocations = TokenKeys.revocationRecords(clientId, subject, session, grantClientId);
            this.clientId = clientId;
            this.clientRecordKey = clientId == null ? null : TokenKeys.clientRevocation(clientId);
            this.clientRecord = clientId == null ? null : clientCache.clientRevocation(clientId);
        }

        private boolean isClientRecord(String key) {
            return clientRecordKey != null && clientRecordKey.equals(key);
        }

        private boolean cached(String key) {
            return isClientRecord(key) && !clientRecord.readDue();
        }

        /** Reads the rows alone, in one strongly consistent BatchGetItem. */
        public AccessTokenState read() {
            return stateFrom(addTo(new BatchLookup(tables)));
        }

        public BatchLookup addTo(BatchLookup lookup) {
            List<String> keys = new ArrayList<>(revocations);
            keys.removeIf(this::cached);
            if (tokenKey != null) {
                keys.add(tokenKey);
            }
            return lookup.add(table, TokenItem.class, keys);
        }

        public AccessTokenState stateFrom(BatchLookup lookup) {
            Map<String, TokenItem> found = lookup.rows(table, TokenItem::getTokenKey);
            long cutoff = -1;
            for (String revocation : revocations) {
                TokenItem record = cached(revocation) ? clientRecord.cached().orElse(null) : found.get(revocation);
                if (isClientRecord(revocation) && clientRecord.readDue()) {
                    clientCache.clientRevocationRead(clientId, Optional.ofNullable(record), clientRecord);
                }
                if (record != null && record.getRevokedAt() != null) {
                    cutoff = Math.max(cutoff, record.getRevokedAt());
                }
            }
            return new AccessTokenState(Optional.ofNullable(tokenKey == null ? null : found.get(tokenKey)), cutoff);
        }
    }

    /** An access token's row (absent when never issued here or cleaned up) and the latest revocation cut-off. */
    public record AccessTokenState(Optional<TokenItem> token, long revokedUpToMillis) {

        public boolean isLive(long nowEpochSecond) {
            return token.filter(t -> !t.isRevoked())
                    .filter(t -> t.grantStart() != null && t.grantStart() > revokedUpToMillis)
                    .filter(t -> t.getExpiresAt() != null && t.getExpiresAt() > nowEpochSecond)
                    .isPresent();
        }
    }
}
