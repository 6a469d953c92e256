package dev.tokenservice.oauth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The space-separated scope parameter (RFC 6749 §3.3), checked against what the client is registered for. */
public final class OAuthScopes {

    private OAuthScopes() {
    }

    /** The requested scopes when all are registered; every registered scope when none was requested. */
    public static List<String> granted(Optional<String> requested, List<String> registered) {
        if (requested.isEmpty()) {
            return List.copyOf(registered);
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : requested.get().split(" ")) {
            if (scope.isEmpty()) {
                continue;
            }
            if (!registered.contains(scope)) {
                throw OAuthErrors.invalidScope("the scope " + scope + " is not registered for this client");
            }
            scopes.add(scope);
        }
        if (scopes.isEmpty()) {
            throw OAuthErrors.invalidScope("the scope parameter names no scope");
        }
        return new ArrayList<>(scopes);
    }
}
