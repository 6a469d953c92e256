package dev.tokenservice.oauth;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Authenticates a confidential client at the token endpoint with client_secret_basic or
 * client_secret_post (RFC 6749 §2.3.1). Unknown client and wrong secret give the same answer in the
 * same time; a disabled client is told so only after its secret was proven.
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
        Optional<String> authorization = request.http().header("authorization")
                .filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6));
        boolean basic = authorization.isPresent();
        Optional<String> postedSecret = request.parameter("client_secret");
        if (basic && postedSecret.isPresent()) {
            throw OAuthErrors.invalidRequest("use one client authentication method, not both");
        }
        String clientId;
        String secret;
        if (basic) {
            String[] credentials = basicCredentials(authorization.get());
            clientId = credentials[0];
            secret = credentials[1];
            var postedId = request.parameter("client_id");
            if (postedId.isPresent() && !postedId.get().equals(clientId)) {
                throw OAuthErrors.invalidRequest("client_id does not match the Authorization header");
            }
        } else if (postedSecret.isPresent()) {
            clientId = request.parameter("client_id")
                    .orElseThrow(() -> OAuthErrors.invalidRequest("the parameter client_id is required"));
            secret = postedSecret.get();
        } else {
            throw OAuthErrors.invalidClient("client authentication is required", true);
        }
        Optional<ClientItem> client = clients.find(clientId);
        String storedHash = client.map(ClientItem::getSecretHash).orElse(null);
        if (!hasher.matches(secret, storedHash)) {
            throttle.failed(clientId);
            throw OAuthErrors.invalidClient("client authentication failed", basic);
        }
        throttle.succeeded(clientId);
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
                URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
            };
        } catch (IllegalArgumentException badEscape) {
            throw OAuthErrors.invalidClient("the Basic credentials are not form-urlencoded", true);
        }
    }
}
