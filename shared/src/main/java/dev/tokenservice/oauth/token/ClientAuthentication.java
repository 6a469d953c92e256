package dev.tokenservice.oauth.token;

import dev.tokenservice.clients.ClientAuthMethods;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.oauth.OAuthErrors;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Authenticates a confidential client at the token, introspection and revocation endpoints: with its secret,
 * client_secret_basic or client_secret_post (RFC 6749 §2.3.1), or with a signed assertion, private_key_jwt (RFC 7523
 * §2.2, see {@link ClientAssertions}). A client registered for one cannot use the other. Unknown client and wrong
 * secret give the same answer in the same time; a disabled client is told so only after its credential was proven.
 * During a rotation's overlap the previous secret works too, until its expiry by the clock. The client's row may
 * come from the container's client cache, but only when it grants the request (see {@link #granting}).
 */
public final class ClientAuthentication {

    private final ClientRepository clients;
    private final SecretHasher hasher;
    private final FailedAuthenticationThrottle throttle;
    private final ClientAssertions assertions;
    private final Clock clock;

    public ClientAuthentication(ClientRepository clients, SecretHasher hasher, FailedAuthenticationThrottle throttle,
            ClientAssertions assertions, Clock clock) {
        this.clients = clients;
        this.hasher = hasher;
        this.throttle = throttle;
        this.assertions = assertions;
        this.clock = clock;
    }

    /** A client that proved its secret, or a public client (registered for "none") named by client_id. */
    public record AuthenticatedClient(ClientItem client, boolean confidential) {
    }

    /**
     * For grants that public clients may use (authorization_code, refresh_token): without credentials,
     * client_id alone identifies a client registered for "none", whose proof is PKCE or its refresh token.
     */
    public AuthenticatedClient authenticateAllowingPublic(TokenRequest request) {
        boolean presentsCredentials = request.parameter("client_secret").isPresent()
                || request.parameter("client_assertion").isPresent()
                || request.parameter("client_assertion_type").isPresent()
                || request.http().header("authorization")
                        .filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6)).isPresent();
        if (presentsCredentials) {
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
        return new AuthenticatedClient(requireProofIfBound(client, request), false);
    }

    public ClientItem authenticate(TokenRequest request) {
        Credentials credentials = presented(request);
        return requireProofIfBound(
                check(credentials, clients.forAuthentication(credentials.clientId(), granting(credentials)).read()),
                request);
    }

    /**
     * RFC 9449 §5.2: a client registered with dpop_bound_access_tokens gets tokens only with a DPoP proof; checked
     * once the client is authenticated, so that nobody else learns how it is registered.
     */
    private static ClientItem requireProofIfBound(ClientItem client, TokenRequest request) {
        if (request.forTokens() && Boolean.TRUE.equals(client.getDpopBoundAccessTokens()) && request.dpopKey().isEmpty()) {
            throw OAuthErrors.invalidDpopProof("the client is registered with dpop_bound_access_tokens: its token "
                    + "requests must carry a DPoP proof");
        }
        return client;
    }

    /**
     * Whether a client's row would grant these credentials (an enabled client whose current or overlapping previous
     * hash matches the secret, or whose keys known without a fetch verify the assertion's signature): only such a
     * row may be answered from the container's client cache; any other answer is read again. A new secret or key
     * therefore works at once.
     */
    public Predicate<ClientItem> granting(Credentials credentials) {
        if (credentials.assertion() != null) {
            return row -> row.isEnabled() && row.usesPrivateKeyJwt()
                    && assertions.verifiesWithoutFetching(row, credentials.assertion());
        }
        return row -> row.isEnabled() && row.usesSecret() && secretMatches(credentials.secret(), row);
    }

    /**
     * A client id and its secret or assertion as presented, not yet checked (secret null for an assertion). The secret
     * is hashed once here: a request answered from the client cache compares it twice (the cache's {@link #granting}
     * and {@link #check}), and each HMAC-SHA-256 showed in a JFR profile of the local runner under load (about 2 % of
     * an introspection's handler-thread samples).
     */
    public record Credentials(String clientId, SecretHasher.Presented secret, boolean basic,
            ClientAssertions.Presented assertion) {
    }

    /** The credentials a request presents (read without I/O); 400/401 when there are none or they are malformed. */
    public Credentials presented(TokenRequest request) {
        Optional<String> authorization = request.http().header("authorization")
                .filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6));
        Optional<String> postedSecret = request.parameter("client_secret");
        Optional<String> assertionType = request.parameter("client_assertion_type");
        Optional<String> assertion = request.parameter("client_assertion");
        if (assertionType.isPresent() || assertion.isPresent()) {
            if (authorization.isPresent() || postedSecret.isPresent()) {
                throw OAuthErrors.invalidRequest("use one client authentication method, not both");
            }
            return presentedAssertion(request, assertionType, assertion);
        }
        if (authorization.isPresent() && postedSecret.isPresent()) {
            throw OAuthErrors.invalidRequest("use one client authentication method, not both");
        }
        if (authorization.isPresent()) {
            String[] credentials = basicCredentials(authorization.get());
            var postedId = request.parameter("client_id");
            if (postedId.isPresent() && !postedId.get().equals(credentials[0])) {
                throw OAuthErrors.invalidRequest("client_id does not match the Authorization header");
            }
            return new Credentials(credentials[0], hasher.presented(credentials[1]), true, null);
        }
        if (postedSecret.isPresent()) {
            String clientId = request.parameter("client_id")
                    .orElseThrow(() -> OAuthErrors.invalidRequest("the parameter client_id is required"));
            return new Credentials(clientId, hasher.presented(postedSecret.get()), false, null);
        }
        throw OAuthErrors.invalidClient("client authentication is required", true);
    }

    /** RFC 7521 §4.2: client_assertion_type names the JWT bearer type, client_assertion holds the JWT. */
    private Credentials presentedAssertion(TokenRequest request, Optional<String> type, Optional<String> assertion) {
        if (type.isEmpty()) {
            throw OAuthErrors.invalidRequest("the parameter client_assertion_type is required with client_assertion");
        }
        if (!ClientAssertions.JWT_BEARER.equals(type.get())) {
            throw OAuthErrors.invalidClient("client_assertion_type: only " + ClientAssertions.JWT_BEARER
                    + " is supported", false);
        }
        if (assertion.isEmpty()) {
            throw OAuthErrors.invalidRequest("the parameter client_assertion is required with client_assertion_type");
        }
        ClientAssertions.Presented presented = assertions.parse(assertion.get(), request.http());
        var postedId = request.parameter("client_id");
        if (postedId.isPresent() && !postedId.get().equals(presented.clientId())) {
            throw OAuthErrors.invalidRequest("client_id does not match the client assertion's sub");
        }
        return new Credentials(presented.clientId(), null, false, presented);
    }

    /**
     * Checks presented credentials against the client's row (read by the caller, possibly together with other
     * rows): the authenticated client, or 401 invalid_client (429 once failures pile up), 400 when disabled.
     */
    public ClientItem check(Credentials credentials, Optional<ClientItem> client) {
        if (credentials.assertion() != null) {
            checkAssertion(credentials, client);
        } else {
            checkSecret(credentials, client);
        }
        throttle.succeeded(credentials.clientId());
        ClientItem authenticated = client.get();
        if (!authenticated.isEnabled()) {
            throw OAuthErrors.unauthorizedClient("the client is disabled");
        }
        return authenticated;
    }

    private void checkSecret(Credentials credentials, Optional<ClientItem> client) {
        // Always a full comparison (of a decoy hash for an unknown client), so the time says nothing.
        boolean matches = secretMatches(credentials.secret(), client.orElse(null));
        if (client.isPresent() && !client.get().usesSecret()) {
            throttle.failed(credentials.clientId());
            throw OAuthErrors.invalidClient("the client authenticates with "
                    + ClientAuthMethods.of(client.get()) + ", not a secret", credentials.basic());
        }
        if (!matches) {
            throttle.failed(credentials.clientId());
            throw OAuthErrors.invalidClient("client authentication failed", credentials.basic());
        }
    }

    private void checkAssertion(Credentials credentials, Optional<ClientItem> client) {
        if (client.isEmpty()) {
            throttle.failed(credentials.clientId());
            throw OAuthErrors.invalidClient("client authentication failed", false);
        }
        if (!client.get().usesPrivateKeyJwt()) {
            throttle.failed(credentials.clientId());
            throw OAuthErrors.invalidClient("the client authenticates with " + ClientAuthMethods.of(client.get())
                    + ", not private_key_jwt", false);
        }
        try {
            assertions.verify(client.get(), credentials.assertion());
        } catch (ApiError refused) {
            throttle.failed(credentials.clientId());
            throw refused;
        }
    }

    /**
     * The current hash, or the previous one while its overlap lasts by the clock. Both are compared every time, in
     * constant time, so the answer's time does not tell which matched.
     */
    private boolean secretMatches(SecretHasher.Presented secret, ClientItem client) {
        boolean current = hasher.matches(secret, client == null ? null : client.getSecretHash());
        boolean previous = hasher.matches(secret, client == null ? null : client.getPreviousSecretHash());
        return current || (previous && client.previousSecretLiveAt(clock.instant()));
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
