package dev.tokenservice.clients;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client secrets are 256-bit random values, so a keyed hash (HMAC-SHA-256 with a server-side pepper) is
 * the right store: a stolen table alone does not allow offline guessing, and checking costs microseconds
 * on the token path, where bcrypt would cost a hundred milliseconds.
 */
public final class SecretHasher {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec pepper;
    /** Hashed when the client is unknown, so an unknown id costs the same time as a wrong secret. */
    private final String decoyHash;

    public SecretHasher(byte[] pepper) {
        if (pepper.length < 32) {
            throw new IllegalArgumentException("the secret pepper must be at least 32 bytes");
        }
        this.pepper = new SecretKeySpec(pepper, "HmacSHA256");
        this.decoyHash = hash(newSecret());
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return URL.encodeToString(bytes);
    }

    public String hash(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(pepper);
            return URL.encodeToString(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Constant-time comparison of a presented secret with a stored hash (null hash: never matches). */
    public boolean matches(String presentedSecret, String storedHash) {
        return matches(presented(presentedSecret), storedHash);
    }

    /**
     * A presented secret hashed once, for a request that compares it more than once: with the client's row in the
     * container's client cache and again with the row read when the cache cannot grant it.
     */
    public Presented presented(String secret) {
        return new Presented(hash(secret).getBytes(StandardCharsets.US_ASCII));
    }

    /** Constant-time comparison of a presented secret, already hashed, with a stored hash (null: never matches). */
    public boolean matches(Presented presented, String storedHash) {
        String expected = storedHash != null ? storedHash : decoyHash;
        boolean equal = MessageDigest.isEqual(presented.hash, expected.getBytes(StandardCharsets.US_ASCII));
        return equal && storedHash != null;
    }

    /** The keyed hash of a presented secret; the secret itself is not kept. */
    public static final class Presented {
        private final byte[] hash;

        private Presented(byte[] hash) {
            this.hash = hash;
        }
    }
}
