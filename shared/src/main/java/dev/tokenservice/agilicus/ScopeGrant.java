package dev.tokenservice.agilicus;

import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.scopes.ServiceScopes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which of the requested scopes a token administrator may put in a token: any scope, except this service's
 * own administrative scopes, which only a caller holding them may hand on (nobody gives more than they
 * have). A scope ending in "?" is optional: granted when allowed, left out silently otherwise. A required
 * scope that is not allowed refuses the whole request with 403.
 */
public final class ScopeGrant {

    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,256}");

    private ScopeGrant() {
    }

    static boolean wellFormed(String requested) {
        String scope = requested.endsWith("?") ? requested.substring(0, requested.length() - 1) : requested;
        return SCOPE_TOKEN.matcher(scope).matches() && !scope.endsWith("?");
    }

    /** The scopes to grant, in request order without duplicates; 403 naming the first one not allowed. */
    public static List<String> decide(Optional<Caller> caller, List<String> requested) {
        Set<String> granted = new LinkedHashSet<>();
        for (String scope : requested) {
            boolean optional = scope.endsWith("?");
            String name = optional ? scope.substring(0, scope.length() - 1) : scope;
            if (allowed(caller, name)) {
                granted.add(name);
            } else if (!optional) {
                throw new ApiError(403, "forbidden",
                        "scopes: the caller may not grant '" + name + "' (mark it optional as '" + name
                                + "?' to leave it out instead)");
            }
        }
        return new ArrayList<>(granted);
    }

    private static boolean allowed(Optional<Caller> caller, String scope) {
        return !ServiceScopes.ALL.contains(scope) || caller.map(c -> c.hasScope(scope)).orElse(false);
    }
}
