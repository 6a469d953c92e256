package dev.tokenservice.local.data;

import dev.tokenservice.config.PrivateFiles;
import dev.tokenservice.local.failure.StartupException;
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
 * the pepper, the API key. Held with a file lock while a runner (or a local invoke that runs its own
 * DynamoDB Local) uses it, because one database file is served by one DynamoDB Local process at a time:
 * DynamoDB Local orders the operations on a table with a lock in its own memory (a ReentrantReadWriteLock per
 * table), which a second process on the same file would not see. A running runner records its DynamoDB Local's address here, so that
 * a local invoke reaches the same database through it instead of opening the file a second time.
 */
public final class DataFolder implements AutoCloseable {

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String LOCK = ".lock";
    private static final String RUNNER_DYNAMODB = "runner-dynamodb";
    private static final String ISSUER = "issuer";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataFolder(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** The folder, held by this process alone; fails when another runner or invoke holds it. */
    public static DataFolder open(Path root) {
        return tryOpen(root).orElseThrow(() -> new StartupException(
                "another local runner or invoke is using " + root + "; stop it or pass another --data"));
    }

    /** The folder held by this process alone, or empty when another process holds it. */
    public static Optional<DataFolder> tryOpen(Path root) {
        try {
            Files.createDirectories(root);
            FileChannel channel = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new DataFolder(root, channel, lock));
        } catch (IOException e) {
            throw new StartupException("cannot use the data folder " + root + ": " + e.getMessage());
        }
    }

    /** The folder while a runner holds it: its key files are read, its database is reached through the runner. */
    public static DataFolder alongsideRunner(Path root) {
        return new DataFolder(root, null, null);
    }

    /** The DynamoDB endpoint the runner holding this folder serves it on, if it recorded one. */
    public Optional<String> runnerDynamoDb() {
        return read(RUNNER_DYNAMODB);
    }

    /** The issuer the last runner on this folder fixed (what its tokens carry as iss), if one ran. */
    public Optional<String> lastIssuer() {
        return read(ISSUER);
    }

    /** Called by the runner once it serves: where its DynamoDB is, and the issuer of its tokens. */
    public void recordRunner(String dynamoDbEndpoint, String issuer) {
        writePrivate(RUNNER_DYNAMODB, dynamoDbEndpoint);
        writePrivate(ISSUER, issuer);
    }

    public void forgetRunner() {
        try {
            Files.deleteIfExists(root.resolve(RUNNER_DYNAMODB));
        } catch (IOException e) {
            // A stale address is harmless: it is read only while another process holds the lock.
        }
    }

    public Path root() {
        return root;
    }

    public Path dynamoDb() {
        return root.resolve("dynamodb");
    }

    public Path signingKey() {
        return root.resolve("signing-key.json");
    }

    /** The local stand-in for the KMS key that envelope-encrypts stored token values. */
    public Path sealingKey() {
        return root.resolve("sealing-key");
    }

    public Path pepper() {
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
    public String apiKey() {
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
        if (lock == null) {
            return;
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // The lock goes with the process anyway.
        }
    }
}
