package dev.tokenservice.functions.housekeeping;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.tokenservice.signing.KeyRotation;
import dev.tokenservice.wiring.Services;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The `wrapped` mode's key rotation. Scheduled (template.yaml's ScheduleV2): publishes the next key ahead of its
 * activation and removes keys whose tokens have all expired. Invoked by hand with {"revoke": "<kid>"}: the
 * emergency rotation of an exposed key (docs/operations.md, "Key rotation").
 */
public final class RotateSigningKeysHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private final KeyRotation rotation;

    public RotateSigningKeysHandler() {
        this(Services.production().keyRotation(Services.production().kms()));
    }

    public RotateSigningKeysHandler(Services services) {
        this(services.keyRotation(services.kms()));
    }

    public RotateSigningKeysHandler(KeyRotation rotation) {
        this.rotation = rotation;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object revoke = input == null ? null : input.get("revoke");
        KeyRotation.Outcome outcome = revoke instanceof String kid && !kid.isBlank()
                ? rotation.revoke(kid.trim())
                : rotation.rotate();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("created", outcome.created());
        result.put("removed", outcome.removed());
        result.put("active", outcome.activeKid());
        result.put("published", outcome.published());
        return result;
    }
}
