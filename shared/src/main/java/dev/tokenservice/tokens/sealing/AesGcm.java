package dev.tokenservice.tokens.sealing;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM with a random 96-bit nonce stored in front of the ciphertext (which carries the 128-bit tag). */
final class AesGcm {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    static byte[] encrypt(byte[] key, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    static byte[] decrypt(byte[] key, byte[] nonceAndCiphertext) {
        if (nonceAndCiphertext.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("sealed data is truncated");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BITS, nonceAndCiphertext, 0, NONCE_BYTES));
            return cipher.doFinal(nonceAndCiphertext, NONCE_BYTES, nonceAndCiphertext.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            // A wrong key or tampered data: the tag does not verify.
            throw new IllegalStateException("sealed data does not open with its key");
        }
    }
}
