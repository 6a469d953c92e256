package dev.tokenservice.tokens.sealing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenservice.testing.MotoKms;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.tokens.TokenSealer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

class EnvelopeSealerTest {

    private static final byte[] VALUE = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqZG9lIn0".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dataFolder;

    @Test
    void aValueSealedWithTheLocalKeyFileOpensAfterARestartAndIsNeverStoredInPlaintext() {
        Path keyFile = dataFolder.resolve("sealing-key");
        TokenSealer.Sealed sealed = new EnvelopeSealer(LocalDataKeys.loadOrCreate(keyFile), MutableClock.startingNow())
                .seal(VALUE);

        byte[] stored = Base64.getDecoder().decode(sealed.value());
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("eyJzdWIiOiJqZG9lIn0"));
        assertNotEquals(new String(VALUE, StandardCharsets.US_ASCII), sealed.value());
        TokenSealer afterRestart = new EnvelopeSealer(LocalDataKeys.loadOrCreate(keyFile), MutableClock.startingNow());
        assertArrayEquals(VALUE, afterRestart.open(sealed));
    }

    @Test
    void anotherKeyFileOrATamperedValueDoesNotOpen() {
        TokenSealer.Sealed sealed = new EnvelopeSealer(
                LocalDataKeys.loadOrCreate(dataFolder.resolve("a")), MutableClock.startingNow()).seal(VALUE);
        TokenSealer other = new EnvelopeSealer(LocalDataKeys.loadOrCreate(dataFolder.resolve("b")), MutableClock.startingNow());
        assertThrows(IllegalStateException.class, () -> other.open(sealed));

        byte[] bytes = Base64.getDecoder().decode(sealed.value());
        bytes[bytes.length - 1] ^= 1;
        TokenSealer same = new EnvelopeSealer(LocalDataKeys.loadOrCreate(dataFolder.resolve("a")), MutableClock.startingNow());
        assertThrows(IllegalStateException.class,
                () -> same.open(new TokenSealer.Sealed(Base64.getEncoder().encodeToString(bytes), sealed.key())));
    }

    @Test
    void withKmsOneDataKeySealsManyValuesAndOneDecryptOpensThemInANewContainer() throws Exception {
        var kms = MotoKms.client();
        String keyId = kms.createKey(r -> r.keyUsage(KeyUsageType.ENCRYPT_DECRYPT).description("sealing test"))
                .keyMetadata().keyId();
        CountingKeys issuing = new CountingKeys(new KmsDataKeys(kms, keyId));
        MutableClock clock = MutableClock.startingNow();
        EnvelopeSealer sealer = new EnvelopeSealer(issuing, clock);
        List<TokenSealer.Sealed> sealed = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sealed.add(sealer.seal(("value-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(1, issuing.generated.get(), "one GenerateDataKey per container, not per token");

        CountingKeys reading = new CountingKeys(new KmsDataKeys(kms, keyId));
        EnvelopeSealer fresh = new EnvelopeSealer(reading, clock);
        for (int i = 0; i < 50; i++) {
            assertEquals("value-" + i, new String(fresh.open(sealed.get(i)), StandardCharsets.UTF_8));
        }
        assertEquals(1, reading.decrypted.get(), "Decrypt results are cached by the encrypted data key");

        clock.advance(Duration.ofMinutes(61));
        TokenSealer.Sealed later = sealer.seal(VALUE);
        assertEquals(2, issuing.generated.get(), "the data key is replaced after an hour");
        assertNotEquals(sealed.get(0).key(), later.key());
        assertArrayEquals(VALUE, fresh.open(later));
    }

    @Test
    void theLocalKeyFileIsReadableByItsOwnerOnly() throws Exception {
        Path keyFile = dataFolder.resolve("sealing-key");
        LocalDataKeys.loadOrCreate(keyFile);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keyFile)));
    }

    private static final class CountingKeys implements DataKeys {
        private final DataKeys delegate;
        private final AtomicInteger generated = new AtomicInteger();
        private final AtomicInteger decrypted = new AtomicInteger();

        CountingKeys(DataKeys delegate) {
            this.delegate = delegate;
        }

        @Override
        public DataKey generate() {
            generated.incrementAndGet();
            return delegate.generate();
        }

        @Override
        public byte[] decrypt(byte[] encryptedKey) {
            decrypted.incrementAndGet();
            return delegate.decrypt(encryptedKey);
        }
    }
}
