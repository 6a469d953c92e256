package dev.tokenservice.functions.admin;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.tokenservice.wiring.Services;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Invoked once by the operator after the first deploy (`sam remote invoke BootstrapAdminFunction`): creates
 * the first admin client and returns its secret in the invocation result, the only place it ever appears.
 * Later invocations create nothing and say so.
 */
public final class BootstrapAdminHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private final Services services;

    public BootstrapAdminHandler() {
        this(Services.production());
    }

    public BootstrapAdminHandler(Services services) {
        this.services = services;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> result = new LinkedHashMap<>();
        services.adminBootstrap().createFirstAdmin().ifPresentOrElse(admin -> {
            result.put("created", true);
            result.put("client_id", admin.clientId());
            result.put("client_secret", admin.clientSecret());
            result.put("scope", admin.scope());
        }, () -> {
            result.put("created", false);
            result.put("message", "an admin client was bootstrapped before; nothing was created");
        });
        return result;
    }
}
