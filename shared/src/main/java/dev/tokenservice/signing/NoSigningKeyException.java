package dev.tokenservice.signing;

import dev.tokenservice.http.ApiError;
import java.util.Map;

/**
 * No key may sign now: in `wrapped` mode without a KMS signing key configured (the template always configures one,
 * which signs meanwhile), before the rotation function has created the first key, or after an emergency rotation
 * whose replacement key is not stored yet. A passing condition: 503 with Retry-After, in the API family's format.
 */
public final class NoSigningKeyException extends ApiError {

    public NoSigningKeyException() {
        super(503, "temporarily_unavailable", "no signing key is active yet, retry later", Map.of("Retry-After", "60"));
    }
}
