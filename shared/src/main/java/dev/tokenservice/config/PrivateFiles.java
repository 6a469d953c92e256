package dev.tokenservice.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Key material in the local data folder is readable by its owner only. */
public final class PrivateFiles {

    private PrivateFiles() {
    }

    public static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Non-POSIX file systems keep their default permissions.
        }
    }
}
