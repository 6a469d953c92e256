package dev.tokenservice.openid;

import java.util.List;

/** OpenID Connect's scopes: openid, which makes a request an OpenID Connect request, and the standard claim scopes. */
public final class OpenIdScopes {

    public static final String OPENID = "openid";
    /**
     * OpenID Connect's own scopes (Core §5.4, §11): a client registered for openid may ask for them in an OpenID
     * request without registering each, as relying-party libraries ask for "openid profile email" by default.
     */
    public static final List<String> OPENID_SCOPES = List.of("profile", "email", "address", "phone", "offline_access");

    private OpenIdScopes() {
    }
}
