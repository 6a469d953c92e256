package dev.tokenservice.tokens.sealing;

/**
 * Where envelope encryption gets its data keys: a fresh AES-256 key in plaintext plus the same key
 * encrypted under a key-encryption key that never leaves its keeper (KMS, or the local key file).
 */
public interface DataKeys {

    DataKey generate();

    /** The plaintext of a data key that {@link #generate()} produced earlier. */
    byte[] decrypt(byte[] encryptedKey);

    record DataKey(byte[] plaintext, byte[] encrypted) {
    }
}
