package dev.tokenservice.oauth.token;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.oauth.OAuthErrors;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Authenticates a confidential client at the token endpoint with client_secret_basic or
 * client_secret_post (RFC 6749 §2.3.1). Unknown client and wrong secret give the same answer in the
 * same time; a disabled client is told so only after its secret was proven. The client's row may come from the
 * container's client cache, but only when it grants the request (see {@link #granting}).
 */
public final class ClientAuthentication {

    private final ClientRepository clients;
    private final SecretHasher hasher;
    private final FailedAuthenticationThrottle throttle;

    /** Without slowing down repeated failures (tests of other behaviour). */
    public ClientAuthentication(ClientRepository clients, SecretHasher hasher, FailedAuthenticationThrottle throttle) {
        this.clients = clients;
        this.hasher = hasher;
        this.throttle = throttle;
    }

    /** A client that proved its secret, or a public client (registered for "none") named by client_id. */
    public record AuthenticatedClient(ClientItem client, boolean confidential) {
    }

    /**
     * For grants that public clients may use (authorization_code, refresh_token): without credentials,
     * client_id alone identifies a client registered for "none", whose proof is PKCE or its refresh token.
     */
    public AuthenticatedClient authenticateAllowingPublic(TokenRequest request) {
        boolean presentsSecret = request.parameter("client_secret").isPresent() || request.http().header("authorization")
                .filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6)).isPresent();
        if (presentsSecret) {
            return new AuthenticatedClient(authenticate(request), true);
        }
        String clientId = request.parameter("client_id")
                .orElseThrow(() -> OAuthErrors.invalidClient("client authentication is required", true));
        ClientItem client = clients.find(clientId)
                .filter(found -> found.allowsAuthenticationMethod("none"))
                .orElseThrow(() -> OAuthErrors.invalidClient("client authentication failed", false));
        if (!client.isEnabled()) {
            throw OAuthErrors.unauthorizedClient("the client is disabled");
        }
        return new AuthenticatedClient(client, false);
    }

    public ClientItem authenticate(TokenRequest request) {
        Credentials credentials = presented(request);
        return check(credentials, clients.forAuthentication(credentials.clientId(), granting(credentials)).read());
    }

    /**
     * Whether a client's row would grant these credentials (an enabled client whose hash matches the secret): only
     * such a row may be answered from the container's client cache; any other answer is read again.
     */
    public Predicate<ClientItem> granting(Credentials credentials) {
        return row -> row.isEnabled() && hasher.matches(credentials.secret(), row.getSecretHash());
    }

    /**
     * A client id and secret as presented, not yet checked. The secret is hashed once here: a request answered from
     * the client cache compares it twice (the cache's {@link #granting} and {@link #check}), and each HMAC-SHA-256
     * showed in a JFR profile of the local runner under load (about 2 % of an introspection's handler-thread samples).
     */
    public record Credentials(String clientId, SecretHasher.Presented secret, boolean basic) {
    }

    /** The credentials a request presents (read without I/O); 400/401 when there are none or they are malformed. */
    public Credentials presented(TokenRequest request) {
        Optional<String> authorization = request.http().header("authorization")
                .filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6));
        Optional<String> postedSecret = request.parameter("client_secret");
        if (authorization.isPresent() && postedSecret.isPresent()) {
            throw OAuthErrors.invalidRequest("use one client authentication method, not both");
        }
        if (authorization.isPresent()) {
            String[] credentials = basicCredentials(authorization.get());
            var postedId = request.parameter("client_id");
            if (postedId.isPresent() && !postedId.get().equals(credentials[0])) {
                throw OAuthErrors.invalidRequest("client_id does not match the Authorization header");
            }
            return new Credentials(credentials[0], hasher.presented(credentials[1]), true);
        }
        if (postedSecret.isPresent()) {
            String clientId = request.parameter("client_id")
                    .orElseThrow(() -> OAuthErrors.invalidRequest("the parameter client_id is required"));
            return new Credentials(clientId, hasher.presented(postedSecret.get()), false);
        }
        throw OAuthErrors.invalidClient("client authentication is required", true);
    }

    /**
     * Checks presented credentials against the client's row (read by the caller, possibly together with other
     * rows): the authenticated client, or 401 invalid_client (429 once failures pile up), 400 when disabled.
     */
    public ClientItem check(Credentials credentials, Optional<ClientItem> client) {
        String storedHash = client.map(ClientItem::getSecretHash).orElse(null);
        if (!hasher.matches(credentials.secret(), storedHash)) {
            throttle.failed(credentials.clientId());
            throw OAuthErrors.invalidClient("client authentication failed", credentials.basic());
        }
        throttle.succeeded(credentials.clientId());
        ClientItem authenticated = client.get();
        if (!authenticated.isEnabled()) {
            throw OAuthErrors.unauthorizedClient("the client is disabled");
        }
        return authenticated;
    }

    private static String[] basicCredentials(String header) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            throw OAuthErrors.invalidClient("the Basic credentials are not base64", true);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw OAuthErrors.invalidClient("the Basic credentials must be client_id:client_secret", true);
        }
        try {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
            return new String[] {
                FieldRules.checked("client_id", URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8)),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
            };
        } catch (IllegalArgumentException badEscape) {
            throw OAuthErrors.invalidClient("the Basic credentials are not form-urlencoded", true);
        }
    }
}
