package dev.tokenservice.scopes;

import java.util.List;

/** Scopes that guard this service's own administration APIs. */
public final class ServiceScopes {

    /** Act on every client of the registry (DocSpace ROLE_ADMIN). */
    public static final String CLIENTS_ADMIN = "clients:admin";
    /** Register clients and manage the ones the caller registered (DocSpace ROLE_USER). */
    public static final String CLIENTS_WRITE = "clients:write";
    /** List, read and delete any issued token (Knetik TOKENS_ADMIN, Agilicus token administration). */
    public static final String TOKENS_ADMIN = "tokens:admin";

    /** Mint browser sessions for people a login front end signed in (POST /oauth2/sessions). */
    public static final String SESSIONS_CREATE = "sessions:create";

    public static final List<String> ALL = List.of(CLIENTS_ADMIN, CLIENTS_WRITE, TOKENS_ADMIN, SESSIONS_CREATE);

    private ServiceScopes() {
    }
}
