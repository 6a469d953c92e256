package dev.tokenservice.local.failure;

/** Why the local runner cannot start, in words meant for the user as they are. */
public class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message, null, false, false);
    }
}
