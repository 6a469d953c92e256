package dev.tokenservice.testing;

import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a copy of the tokens table shows: rows read raw from DynamoDB Local by keys this class computes itself,
 * never through the code under test, so a test of "stored only as a hash" fails when the hashing is broken.
 */
public final class AtRest {

    private AtRest() {
    }

    /** SHA-256 of the value, base64url without padding: the key under which a code or refresh token must be kept. */
    public static String sha256(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every attribute of the tokens table's row with this key, as stored; empty when there is no such row. */
    public static Map<String, AttributeValue> tokenRow(Services services, String tokenKey) {
        return DynamoDbLocal.shared().client().getItem(r -> r.tableName(services.settings().tokensTable())
                .key(Map.of("token_key", AttributeValue.fromS(tokenKey)))
                .consistentRead(true)).item();
    }

    /** The names of the row's attributes whose stored value contains the secret (none, for a safe row). */
    public static java.util.List<String> attributesContaining(Map<String, AttributeValue> row, String secret) {
        return row.entrySet().stream()
                .filter(attribute -> attribute.getValue().toString().contains(secret))
                .map(Map.Entry::getKey)
                .toList();
    }
}
