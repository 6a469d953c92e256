package dev.tokenservice.oauth.token;

import java.util.function.Supplier;

/**
 * A grant the token endpoint serves (RFC 6749 §4, §6): the grant_type value that names it and the exchange of a
 * token request for tokens. The grants of this service are listed once, in {@code wiring.Services#grants}; the token
 * endpoint dispatches over that list, and the metadata documents and the client registry read its names.
 */
public interface Grant {

    /** The grant_type parameter value that selects this grant. */
    String grantType();

    TokenResponse exchange(TokenRequest request, String issuerUrl);

    /**
     * A grant by its name, built on first use. The names are read where no grant is ever built (the metadata
     * documents, the client registry), and building a grant loads what it needs, such as the secret pepper.
     */
    record Supported(String grantType, Supplier<Grant> build) {
    }
}
