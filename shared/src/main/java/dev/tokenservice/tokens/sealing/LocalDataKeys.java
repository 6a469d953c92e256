package dev.tokenservice.tokens.sealing;

import dev.tokenservice.config.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The stand-in for the KMS sealing key on a developer's machine: a 256-bit key-encryption key in a file of
 * the local data folder (created on first use, owner-readable only) that wraps each data key with AES-GCM,
 * exactly as KMS would, so the sealer above it is the same code.
 */
public final class LocalDataKeys implements DataKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] keyEncryptionKey;

    private LocalDataKeys(byte[] keyEncryptionKey) {
        this.keyEncryptionKey = keyEncryptionKey;
    }

    public static LocalDataKeys loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                byte[] key = Base64.getDecoder().decode(Files.readString(file).trim());
                if (key.length != 32) {
                    throw new IllegalStateException("the local sealing key file does not hold a 256-bit key");
                }
                return new LocalDataKeys(key);
            }
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
            PrivateFiles.restrictToOwner(file);
            return new LocalDataKeys(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the local sealing key", e);
        }
    }

    @Override
    public DataKey generate() {
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        return new DataKey(dataKey, AesGcm.encrypt(keyEncryptionKey, dataKey));
    }

    @Override
    public byte[] decrypt(byte[] encryptedKey) {
        return AesGcm.decrypt(keyEncryptionKey, encryptedKey);
    }
}
