package dev.tokenservice.clients;

import java.util.List;

/**
 * The token endpoint authentication methods a client may register (RFC 7591 token_endpoint_auth_method). The two
 * secret methods are one family: a client registered for either may present its secret either way (RFC 6749
 * §2.3.1 makes Basic mandatory to support, and DocSpace's clients have always used both). A private_key_jwt client
 * has no secret, and a secret client cannot present an assertion.
 */
public final class ClientAuthMethods {

    public static final String SECRET_BASIC = "client_secret_basic";
    public static final String SECRET_POST = "client_secret_post";
    public static final String PRIVATE_KEY_JWT = "private_key_jwt";
    public static final String NONE = "none";

    /** What a client may register, and what the metadata documents advertise. */
    public static final List<String> REGISTRABLE = List.of(SECRET_BASIC, SECRET_POST, PRIVATE_KEY_JWT, NONE);

    /** The signature algorithms a client assertion may use: asymmetric only, never none or HS*. */
    public static final List<String> ASSERTION_ALGORITHMS = List.of("RS256", "ES256", "PS256");

    private ClientAuthMethods() {
    }

    /** The method a client is registered for, as RFC 7591 names it. */
    public static String of(ClientItem client) {
        if (client.usesPrivateKeyJwt()) {
            return PRIVATE_KEY_JWT;
        }
        List<String> methods = client.getAuthenticationMethods();
        return methods == null || methods.isEmpty() ? SECRET_BASIC : methods.get(0);
    }
}
