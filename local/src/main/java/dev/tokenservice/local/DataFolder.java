package dev.tokenservice.local;

import dev.tokenservice.config.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The folder that makes a local deployment survive restarts: DynamoDB Local's database, the signing key,
 * the pepper, the API key. Held with a file lock while a runner uses it, because two runners on one
 * database would corrupt it.
 */
final class DataFolder implements AutoCloseable {

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataFolder(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    static DataFolder open(Path root) {
        try {
            Files.createDirectories(root);
            FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new StartupException("another local runner is using " + root + "; stop it or pass another --data");
            }
            return new DataFolder(root, channel, lock);
        } catch (IOException e) {
            throw new StartupException("cannot use the data folder " + root + ": " + e.getMessage());
        }
    }

    Path root() {
        return root;
    }

    Path dynamoDb() {
        return root.resolve("dynamodb");
    }

    Path signingKey() {
        return root.resolve("signing-key.json");
    }

    /** The local stand-in for the KMS key that envelope-encrypts stored token values. */
    Path sealingKey() {
        return root.resolve("sealing-key");
    }

    Path pepper() {
        return root.resolve("pepper.key");
    }

    Optional<String> read(String name) {
        Path file = root.resolve(name);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).trim()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    void writePrivate(String name, String value) {
        Path file = root.resolve(name);
        try {
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            PrivateFiles.restrictToOwner(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The local API key: made once (40 characters, like API Gateway's), then read back on every start. */
    String apiKey() {
        return read("api-key").orElseGet(() -> {
            SecureRandom random = new SecureRandom();
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                key.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
            }
            writePrivate("api-key", key.toString());
            return key.toString();
        });
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // The lock goes with the process anyway.
        }
    }
}
