package dev.tokenservice.oauth.authorization;

import dev.tokenservice.http.ApiError;
import java.util.function.Supplier;

/**
 * A failed authorization request. When the client and its redirect URI are trustworthy, the error goes
 * back to the client by redirect (RFC 6749 §4.1.2.1); otherwise the user sees an error page, because
 * redirecting to an unverified URI would make this server an open redirector.
 */
public final class AuthorizationProblem extends RuntimeException {

    private final String redirectUri;
    private final String state;
    private final String error;

    private AuthorizationProblem(String redirectUri, String state, String error, String description) {
        super(description, null, false, false);
        this.redirectUri = redirectUri;
        this.state = state;
        this.error = error;
    }

    public static AuthorizationProblem shownToUser(String description) {
        return new AuthorizationProblem(null, null, "invalid_request", description);
    }

    /**
     * A browser route's parameters, read with the input rules (a control character, a value past the key limit ...):
     * a malformed one is shown to the user on the error page, naming it, rather than answered in JSON.
     */
    public static <T> T shownIfMalformed(Supplier<T> read) {
        try {
            return read.get();
        } catch (ApiError malformed) {
            throw shownToUser(malformed.description());
        }
    }

    public static AuthorizationProblem redirected(String redirectUri, String state, String error, String description) {
        return new AuthorizationProblem(redirectUri, state, error, description);
    }

    public boolean redirectable() {
        return redirectUri != null;
    }

    public String redirectUri() {
        return redirectUri;
    }

    public String state() {
        return state;
    }

    public String error() {
        return error;
    }

    public String description() {
        return getMessage();
    }
}
