package dev.tokenservice.http;

import java.util.Map;

/**
 * A failure the caller should see: an HTTP status, a machine-readable code and a sentence naming what was
 * wrong. Each API family renders it in its own error format.
 */
public class ApiError extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String description) {
        this(status, code, description, Map.of());
    }

    public ApiError(int status, String code, String description, Map<String, String> headers) {
        super(description, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String description() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return headers;
    }
}
