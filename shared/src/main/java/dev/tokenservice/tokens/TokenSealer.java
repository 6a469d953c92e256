package dev.tokenservice.tokens;

/**
 * Envelope-encrypts the part of a token that is known before signing (header.payload), so that an API that
 * must hand a stored token back (Knetik get_token) can rebuild it without any plaintext token at rest.
 */
public interface TokenSealer {

    Sealed seal(byte[] plaintext);

    byte[] open(Sealed sealed);

    /** Base64 ciphertext and the base64 KMS-encrypted data key that produced it. */
    record Sealed(String value, String key) {
    }
}
