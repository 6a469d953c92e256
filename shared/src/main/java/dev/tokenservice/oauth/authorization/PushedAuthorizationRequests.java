package dev.tokenservice.oauth.authorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Json;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.dpop.DpopProof;
import dev.tokenservice.dpop.DpopProofs;
import dev.tokenservice.oauth.token.ClientAuthentication;
import dev.tokenservice.oauth.token.TokenEndpoint;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * RFC 9126 pushed authorization requests: an authenticated client posts its authorization request, which is
 * validated as the authorization endpoint would (without the browser's session) and stored for a short time under
 * a request_uri; the authorization endpoint then takes it, once, for that client only. The request_uri is stored
 * only as its SHA-256, as codes are.
 */
public final class PushedAuthorizationRequests {

    public static final String REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";
    /** RFC 9126 §2.2 suggests 5 to 600 seconds; long enough for a redirect, short enough to be of little use stolen. */
    static final Duration LIFETIME = Duration.ofSeconds(90);
    /** The client's credentials go to this endpoint only; they are no part of the stored request. */
    private static final Set<String> CREDENTIALS = Set.of("client_secret", "client_assertion", "client_assertion_type");

    /** What the client gets back (RFC 9126 §2.2). */
    public record Pushed(String requestUri, long expiresIn) {

        public ObjectNode toJson() {
            return Json.object().put("request_uri", requestUri).put("expires_in", expiresIn);
        }
    }

    private final ClientAuthentication authentication;
    private final ClientRepository clients;
    private final TokenRepository tokens;
    private final Clock clock;
    private final Optional<String> defaultAudience;
    private final DpopProofs proofs;

    public PushedAuthorizationRequests(ClientAuthentication authentication, ClientRepository clients,
            TokenRepository tokens, Clock clock, Optional<String> defaultAudience, DpopProofs proofs) {
        this.authentication = authentication;
        this.clients = clients;
        this.tokens = tokens;
        this.clock = clock;
        this.defaultAudience = defaultAudience;
        this.proofs = proofs;
    }

    /**
     * Validates and stores the request of the authenticated client. Problems are RFC 6749 errors in JSON (RFC 9126
     * §2.3), never a redirect: the client is here, not a browser.
     */
    public Pushed push(TokenRequest request, String issuerUrl) {
        ClientItem client = authentication.authenticateAllowingPublic(request).client();
        Map<String, List<String>> parameters = new LinkedHashMap<>(request.http().formParameters());
        CREDENTIALS.forEach(parameters::remove);
        if (parameters.containsKey("request_uri")) {
            throw OAuthErrors.invalidRequest("request_uri must not be pushed (RFC 9126 §2.1)");
        }
        // RFC 9449 §10.1: a DPoP proof sent with the push binds the code to its key, as dpop_jkt would; both at once
        // must name the same key.
        Optional<DpopProof> proof = TokenEndpoint.verifiedProof(proofs, request, issuerUrl);
        if (proof.isPresent()) {
            List<String> named = parameters.get("dpop_jkt");
            if (named != null && !named.equals(List.of(proof.get().keyThumbprint()))) {
                throw OAuthErrors.invalidDpopProof("dpop_jkt does not name the key of the request's DPoP proof");
            }
            parameters.put("dpop_jkt", List.of(proof.get().keyThumbprint()));
        }
        parameters.put("client_id", List.of(client.getClientId()));
        try {
            AuthorizationRequest.validate(parameters, clients, defaultAudience.orElse(issuerUrl), true);
        } catch (AuthorizationProblem problem) {
            throw new ApiError(400, problem.redirectable() ? problem.error() : "invalid_request",
                    problem.description());
        }
        String value = OpaqueTokens.newValue();
        Instant now = clock.instant();
        TokenItem row = new TokenItem();
        row.setTokenKey(TokenKeys.pushedRequest(OpaqueTokens.hash(value)));
        row.setKind(TokenKeys.PUSHED_REQUEST);
        row.setClientId(client.getClientId());
        row.setDetails(Json.MAPPER.valueToTree(parameters).toString());
        row.setIssuedAt(now.toEpochMilli());
        row.setExpiresAt(now.plus(LIFETIME).getEpochSecond());
        row.setTtl(now.plus(LIFETIME).getEpochSecond());
        tokens.create(row);
        return new Pushed(REQUEST_URI_PREFIX + value, LIFETIME.toSeconds());
    }

    /**
     * The parameters pushed under this request_uri by this client, used up by this call; an error page otherwise
     * (the request_uri is unknown, used, expired or another client's: its redirect URI cannot be trusted).
     */
    public Map<String, List<String>> take(String requestUri, String clientId) {
        if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length() == REQUEST_URI_PREFIX.length()) {
            throw AuthorizationProblem.shownToUser("request_uri is not one this service issued");
        }
        String value = requestUri.substring(REQUEST_URI_PREFIX.length());
        Instant now = clock.instant();
        TokenItem row = tokens.takeOnce(TokenKeys.pushedRequest(OpaqueTokens.hash(value)), clientId,
                now.getEpochSecond(), now.toEpochMilli())
                .orElseThrow(() -> AuthorizationProblem.shownToUser(
                        "request_uri is unknown, expired, already used, or another client's; start the sign-in again"));
        return parametersOf(row.getDetails());
    }

    private static Map<String, List<String>> parametersOf(String stored) {
        try {
            JsonNode node = Json.MAPPER.readTree(stored);
            Map<String, List<String>> parameters = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> {
                List<String> values = new ArrayList<>();
                field.getValue().forEach(value -> values.add(value.asText()));
                parameters.put(field.getKey(), List.copyOf(values));
            });
            return parameters;
        } catch (IOException e) {
            throw new IllegalStateException("a stored pushed request is not JSON", e);
        }
    }
}
