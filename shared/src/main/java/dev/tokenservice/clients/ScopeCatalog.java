package dev.tokenservice.clients;

import dev.tokenservice.scopes.ServiceScopes;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The scopes a client may be registered for: DocSpace's seeded scopes, and this service's own
 * administration scopes, which a caller may only hand on when it holds them itself.
 */
public final class ScopeCatalog {

    public record Scope(String name, String group, String type, boolean administrative) {
    }

    private static final List<Scope> SCOPES = List.of(
            new Scope("accounts:read", "accounts", "read", false),
            new Scope("accounts:write", "accounts", "write", false),
            new Scope("contacts:read", "contacts", "read", false),
            new Scope("contacts:write", "contacts", "write", false),
            new Scope("contacts.self:read", "profiles", "read", false),
            new Scope("contacts.self:write", "profiles", "write", false),
            new Scope("files:read", "files", "read", false),
            new Scope("files:write", "files", "write", false),
            new Scope("rooms:read", "rooms", "read", false),
            new Scope("rooms:write", "rooms", "write", false),
            new Scope("openid", "openid", "openid", false),
            new Scope(ServiceScopes.CLIENTS_ADMIN, "clients", "admin", true),
            new Scope(ServiceScopes.CLIENTS_WRITE, "clients", "write", true),
            new Scope(ServiceScopes.TOKENS_ADMIN, "tokens", "admin", true),
            new Scope(ServiceScopes.SESSIONS_CREATE, "sessions", "create", true));

    private ScopeCatalog() {
    }

    public static Optional<Scope> find(String name) {
        return SCOPES.stream().filter(scope -> scope.name().equals(name)).findFirst();
    }

    /** As DocSpace lists them: alphabetical ignoring case, openid last. */
    public static List<Scope> listed() {
        return SCOPES.stream()
                .sorted(Comparator.comparing((Scope s) -> s.name().equals("openid"))
                        .thenComparing(Scope::name, String.CASE_INSENSITIVE_ORDER))
                .toList();
    }
}
