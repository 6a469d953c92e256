package dev.tokenservice.signing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.Map;

/**
 * One key pair of the `wrapped` mode as stored in the key ring: the public half as a JWK, the private half only as
 * KMS ciphertext (GenerateDataKeyPairWithoutPlaintext under the key-wrapping key), and when it starts signing.
 * It is published from the moment it is stored.
 */
public record WrappedKey(String kid, JWSAlgorithm algorithm, JWK publicJwk, byte[] wrappedPrivateKey,
        Instant createdAt, Instant activatesAt) {

    /** Bound into the ciphertext: KMS decrypts a wrapped key only with the kid it was made for. */
    public static Map<String, String> encryptionContext(String kid) {
        return Map.of("purpose", "token-signing-key", "kid", kid);
    }

    WrappedKey activatingAt(Instant instant) {
        return new WrappedKey(kid, algorithm, publicJwk, wrappedPrivateKey, createdAt, instant);
    }
}
