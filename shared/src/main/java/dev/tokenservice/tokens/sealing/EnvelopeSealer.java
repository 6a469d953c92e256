package dev.tokenservice.tokens.sealing;

import dev.tokenservice.tokens.TokenSealer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Envelope encryption of stored token values: AES-256-GCM under a data key, the data key stored beside the
 * value only in its encrypted form. One data key seals for a while (an hour, or 2^20 values, far below
 * GCM's random-nonce limit), so issuing a token costs no KMS call after the container's first; opening
 * caches the decrypted data keys by their encrypted blob, so reading back costs one KMS Decrypt per data key.
 */
public final class EnvelopeSealer implements TokenSealer {

    private static final Duration KEY_LIFETIME = Duration.ofHours(1);
    private static final long KEY_USES = 1L << 20;
    private static final int OPENED_KEYS_KEPT = 256;

    private final DataKeys dataKeys;
    private final Clock clock;
    private final Map<String, byte[]> openedKeys = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > OPENED_KEYS_KEPT;
        }
    };
    private CurrentKey current;

    public EnvelopeSealer(DataKeys dataKeys, Clock clock) {
        this.dataKeys = dataKeys;
        this.clock = clock;
    }

    @Override
    public Sealed seal(byte[] plaintext) {
        CurrentKey key = currentKey();
        String value = Base64.getEncoder().encodeToString(AesGcm.encrypt(key.plaintext, plaintext));
        return new Sealed(value, key.encryptedBase64);
    }

    @Override
    public byte[] open(Sealed sealed) {
        byte[] key = dataKey(sealed.key());
        return AesGcm.decrypt(key, Base64.getDecoder().decode(sealed.value()));
    }

    private synchronized CurrentKey currentKey() {
        Instant now = clock.instant();
        if (current == null || current.uses >= KEY_USES || now.isAfter(current.createdAt.plus(KEY_LIFETIME))) {
            DataKeys.DataKey fresh = dataKeys.generate();
            String encrypted = Base64.getEncoder().encodeToString(fresh.encrypted());
            current = new CurrentKey(fresh.plaintext(), encrypted, now);
            synchronized (openedKeys) {
                openedKeys.put(encrypted, fresh.plaintext());
            }
        }
        current.uses++;
        return current;
    }

    private byte[] dataKey(String encryptedBase64) {
        synchronized (openedKeys) {
            byte[] known = openedKeys.get(encryptedBase64);
            if (known != null) {
                return known;
            }
        }
        byte[] plaintext = dataKeys.decrypt(Base64.getDecoder().decode(encryptedBase64));
        synchronized (openedKeys) {
            openedKeys.put(encryptedBase64, plaintext);
        }
        return plaintext;
    }

    private static final class CurrentKey {
        private final byte[] plaintext;
        private final String encryptedBase64;
        private final Instant createdAt;
        private long uses;

        CurrentKey(byte[] plaintext, String encryptedBase64, Instant createdAt) {
            this.plaintext = plaintext;
            this.encryptedBase64 = encryptedBase64;
            this.createdAt = createdAt;
        }
    }
}
