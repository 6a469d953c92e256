package dev.tokenservice.clients;

import dev.tokenservice.config.PrivateFiles;
import dev.tokenservice.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Where the key of the secret hash comes from: a Secrets Manager secret on AWS (read once per container),
 * a file in the local data folder (created on first start), or SECRET_PEPPER (base64) in tests.
 * Changing the pepper invalidates every stored client secret, so it is never rotated in place.
 */
public final class Pepper {

    private Pepper() {
    }

    public static byte[] load(Settings settings, Supplier<SecretsManagerClient> secretsManager) {
        var inline = settings.optional("SECRET_PEPPER");
        if (inline.isPresent()) {
            return Base64.getDecoder().decode(inline.get());
        }
        var arn = settings.pepperSecretArn();
        if (arn.isPresent()) {
            String value = secretsManager.get().getSecretValue(r -> r.secretId(arn.get())).secretString();
            return value.getBytes(StandardCharsets.UTF_8);
        }
        var file = settings.pepperFile();
        if (file.isPresent()) {
            return loadOrCreate(Path.of(file.get()));
        }
        throw new IllegalStateException("no secret pepper: set SECRET_PEPPER_ARN or SECRET_PEPPER_FILE");
    }

    static byte[] loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] pepper = new byte[32];
            new SecureRandom().nextBytes(pepper);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(pepper));
            PrivateFiles.restrictToOwner(file);
            return pepper;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret pepper file", e);
        }
    }

}
