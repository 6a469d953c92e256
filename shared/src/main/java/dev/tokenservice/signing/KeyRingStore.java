package dev.tokenservice.signing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The key ring as one item of the tokens table (key {@value #RING_KEY}: its own prefix, no index attribute, no TTL,
 * so no index, listing or cleanup ever sees it). One item means one strongly consistent GetItem tells a container
 * every published key and which one signs; a few keys of about 2 KB (RSA) keep it at 1-2 read units. Writes are
 * conditional on the version read, so two rotations at once cannot lose a key.
 */
public final class KeyRingStore {

    public static final String RING_KEY = "SK#RING";

    private final DynamoDbClient dynamoDb;
    private final String table;

    public KeyRingStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    /** Strongly consistent: this read decides which key signs. */
    public KeyRing load() {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table)
                .key(Map.of("token_key", AttributeValue.fromS(RING_KEY))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return KeyRing.empty();
        }
        long version = Long.parseLong(item.get("ring_version").n());
        List<WrappedKey> keys = item.get("signing_keys").l().stream().map(value -> fromItem(value.m())).toList();
        return new KeyRing(version, keys);
    }

    /**
     * Stores the ring if nobody changed it since it was loaded at {@code ring.version()}.
     *
     * @return false when another writer came first (load again and decide again)
     */
    public boolean save(KeyRing ring) {
        Map<String, AttributeValue> item = Map.of(
                "token_key", AttributeValue.fromS(RING_KEY),
                "ring_version", AttributeValue.fromN(Long.toString(ring.version() + 1)),
                "signing_keys", AttributeValue.fromL(ring.keys().stream()
                        .map(key -> AttributeValue.fromM(toItem(key))).toList()));
        try {
            dynamoDb.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression(ring.version() == 0
                            ? "attribute_not_exists(token_key)" : "ring_version = :read")
                    .expressionAttributeValues(ring.version() == 0
                            ? null : Map.of(":read", AttributeValue.fromN(Long.toString(ring.version())))));
            return true;
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            return false;
        }
    }

    private static Map<String, AttributeValue> toItem(WrappedKey key) {
        return Map.of(
                "kid", AttributeValue.fromS(key.kid()),
                "alg", AttributeValue.fromS(key.algorithm().getName()),
                "public_jwk", AttributeValue.fromS(key.publicJwk().toPublicJWK().toJSONString()),
                "wrapped_private_key", AttributeValue.fromB(SdkBytes.fromByteArray(key.wrappedPrivateKey())),
                "created_at", AttributeValue.fromN(Long.toString(key.createdAt().getEpochSecond())),
                "activates_at", AttributeValue.fromN(Long.toString(key.activatesAt().getEpochSecond())));
    }

    private static WrappedKey fromItem(Map<String, AttributeValue> item) {
        try {
            return new WrappedKey(item.get("kid").s(), JWSAlgorithm.parse(item.get("alg").s()),
                    JWK.parse(item.get("public_jwk").s()), item.get("wrapped_private_key").b().asByteArray(),
                    Instant.ofEpochSecond(Long.parseLong(item.get("created_at").n())),
                    Instant.ofEpochSecond(Long.parseLong(item.get("activates_at").n())));
        } catch (ParseException corrupt) {
            throw new IllegalStateException("a stored public signing key is not a JWK", corrupt);
        }
    }
}
