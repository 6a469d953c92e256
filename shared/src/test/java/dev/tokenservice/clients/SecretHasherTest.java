package dev.tokenservice.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecretHasherTest {

    private final SecretHasher hasher = new SecretHasher(filled((byte) 7));

    @Test
    void aSecretMatchesItsOwnHashOnly() {
        String secret = SecretHasher.newSecret();
        String hash = hasher.hash(secret);

        assertTrue(hasher.matches(secret, hash));
        assertFalse(hasher.matches(secret + "x", hash));
        assertFalse(hasher.matches(SecretHasher.newSecret(), hash));
        assertFalse(hasher.matches(secret, null), "an unknown client never matches");
    }

    @Test
    void aSecretHashedOnceMatchesItsOwnHashOnlyAsOftenAsCompared() {
        String secret = SecretHasher.newSecret();
        String hash = hasher.hash(secret);
        SecretHasher.Presented presented = hasher.presented(secret);

        assertTrue(hasher.matches(presented, hash));
        assertTrue(hasher.matches(presented, hash), "compared again");
        assertFalse(hasher.matches(presented, hasher.hash(secret + "x")));
        assertFalse(hasher.matches(hasher.presented(secret + "x"), hash));
        assertFalse(hasher.matches(presented, null), "an unknown client never matches");
    }

    @Test
    void theHashIsKeyedSoAnotherPepperGivesAnotherHash() {
        String secret = SecretHasher.newSecret();

        assertNotEquals(hasher.hash(secret), new SecretHasher(filled((byte) 8)).hash(secret));
        assertFalse(hasher.hash(secret).contains(secret));
    }

    @Test
    void newSecretsCarry256BitsOfRandomness() {
        String secret = SecretHasher.newSecret();

        assertEquals(43, secret.length());
        assertNotEquals(secret, SecretHasher.newSecret());
    }

    @Test
    void aShortPepperIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SecretHasher(new byte[16]));
    }

    private static byte[] filled(byte value) {
        byte[] pepper = new byte[32];
        Arrays.fill(pepper, value);
        return pepper;
    }
}
