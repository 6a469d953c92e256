package dev.tokenservice.scopes;

import java.util.ArrayList;
import java.util.List;

/** A space-separated list of scopes (RFC 6749 §3.3), as requests carry them and rows store them. */
public final class ScopeStrings {

    private ScopeStrings() {
    }

    /** The scopes in order, empty ones (from repeated spaces) dropped; none for null. */
    public static List<String> split(String scope) {
        List<String> scopes = new ArrayList<>();
        if (scope != null) {
            for (String s : scope.split(" ")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
        }
        return scopes;
    }
}
