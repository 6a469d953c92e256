package dev.tokenservice.oauth.authorization;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.oauth.OAuthScopes;
import dev.tokenservice.oauth.Pkce;
import dev.tokenservice.oauth.ResourceIndicators;
import dev.tokenservice.oauth.token.AuthorizationCodeGrant;
import dev.tokenservice.openid.OpenIdScopes;
import dev.tokenservice.scopes.ScopeStrings;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated GET /oauth2/authorize request: the client, its exactly matching redirect URI, the scopes,
 * the state to echo, the PKCE S256 challenge (required when the client may be public), and OpenID Connect's
 * nonce (returned in the ID token), max_age (seconds, or null), prompt values, id_token_hint, the resources
 * (RFC 8707) its tokens are to be for (empty: this service), and the DPoP key its code is bound to (RFC 9449 §10:
 * dpop_jkt, or the key of the proof sent with the pushed request; null when none).
 */
public record AuthorizationRequest(ClientItem client, String redirectUri, List<String> scopes, String state,
        String codeChallenge, String nonce, Long maxAge, List<String> prompt, String idTokenHint,
        List<String> resources, String dpopJkt) {

    private static final int LONGEST_NONCE = 512;
    /** RFC 6749 leaves state unbounded; this keeps the redirect's Location header far below gateway limits. */
    static final int LONGEST_STATE = 2048;
    private static final String OPENID = OpenIdScopes.OPENID;
    private static final List<String> PROMPTS = List.of("none", "login", "consent", "select_account");
    /** A JWK SHA-256 thumbprint (RFC 7638), base64url without padding. */
    private static final java.util.regex.Pattern THUMBPRINT = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{43}");

    public AuthorizationRequest(ClientItem client, String redirectUri, List<String> scopes, String state,
            String codeChallenge) {
        this(client, redirectUri, scopes, state, codeChallenge, null, null, List.of(), null, List.of(), null);
    }

    public boolean prompts(String value) {
        return prompt.contains(value);
    }

    /** @param ownAudience this service's own token audience, which every client may ask for as a resource */
    public static AuthorizationRequest validate(Map<String, List<String>> parameters, ClientRepository clients,
            String ownAudience) {
        return validate(parameters, clients, ownAudience, false);
    }

    /**
     * @param pushed whether the request came through the pushed request endpoint (RFC 9126), or was validated
     *               as such before the sign-in hand-off, which a client registered to require it needs
     */
    public static AuthorizationRequest validate(Map<String, List<String>> parameters, ClientRepository clients,
            String ownAudience, boolean pushed) {
        String clientId = single(parameters, "client_id", null, null)
                .orElseThrow(() -> AuthorizationProblem.shownToUser("the request names no client (client_id)"));
        ClientItem client = clients.find(clientId)
                .filter(found -> found.getRedirectUris() != null)
                .orElseThrow(() -> AuthorizationProblem.shownToUser("the client " + clientId + " is not registered"));
        String redirectUri = redirectUriOf(parameters, client);
        String state = single(parameters, "state", null, null).orElse(null);
        if (state != null && !isAcceptableState(state)) {
            // Not echoed: the client gets the error without the value it could not have meant.
            throw AuthorizationProblem.redirected(redirectUri, null, "invalid_request", "state must be at most "
                    + LONGEST_STATE + " printable ASCII characters (RFC 6749 VSCHAR)");
        }

        if (!client.isEnabled()) {
            throw AuthorizationProblem.redirected(redirectUri, state, "unauthorized_client", "the client is disabled");
        }
        if (!pushed && Boolean.TRUE.equals(client.getRequirePushedAuthorizationRequests())) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "this client must push its authorization requests first (request_uri from the PAR endpoint)");
        }
        if (!client.allowsGrant(AuthorizationCodeGrant.GRANT_TYPE)) {
            throw AuthorizationProblem.redirected(redirectUri, state, "unauthorized_client",
                    "the client may not use the authorization code grant");
        }
        // Request objects and dynamic registration are not served (OpenID Connect Core §6.1, §6.2, §7.2.1).
        refuseIfPresent(parameters, "request", "request_not_supported", redirectUri, state);
        refuseIfPresent(parameters, "request_uri", "request_uri_not_supported", redirectUri, state);
        refuseIfPresent(parameters, "registration", "registration_not_supported", redirectUri, state);
        String responseType = single(parameters, "response_type", redirectUri, state).orElse(null);
        if (!"code".equals(responseType)) {
            throw AuthorizationProblem.redirected(redirectUri, state, "unsupported_response_type",
                    "response_type must be code");
        }
        List<String> scopes;
        Optional<String> requestedScope = single(parameters, "scope", redirectUri, state);
        try {
            scopes = OAuthScopes.granted(requestedScope, permittedScopes(client,
                    requestedScope.map(ScopeStrings::split).orElse(List.of()).contains(OPENID)));
        } catch (dev.tokenservice.http.ApiError invalidScope) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_scope", invalidScope.description());
        }
        if (scopes.contains(OPENID) && !parameters.containsKey("redirect_uri")) {
            throw AuthorizationProblem.shownToUser("redirect_uri is required in an OpenID Connect request");
        }
        String challenge = single(parameters, "code_challenge", redirectUri, state).orElse(null);
        // An absent method means plain (RFC 7636 §4.3), refused like a named one.
        String method = single(parameters, "code_challenge_method", redirectUri, state).orElse(null);
        if (challenge != null && !Pkce.S256.equals(method)) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "code_challenge_method must be S256");
        }
        if (challenge != null && !Pkce.isChallenge(challenge)) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "code_challenge must be a base64url SHA-256 (43 characters)");
        }
        if (challenge == null && client.allowsAuthenticationMethod("none")) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "code_challenge (PKCE, S256) is required for this client");
        }
        String nonce = single(parameters, "nonce", redirectUri, state).orElse(null);
        if (nonce != null && FieldRules.characters(nonce) > LONGEST_NONCE) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "nonce must be at most " + LONGEST_NONCE + " characters");
        }
        Long maxAge = single(parameters, "max_age", redirectUri, state).map(value -> {
            if (!value.matches("[0-9]{1,9}")) {
                throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                        "max_age must be a number of seconds");
            }
            return Long.parseLong(value);
        }).orElse(null);
        List<String> prompt = ScopeStrings.split(single(parameters, "prompt", redirectUri, state).orElse(""));
        if (!PROMPTS.containsAll(prompt) || (prompt.contains("none") && prompt.size() > 1)) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "prompt must be none alone, or any of login, consent, select_account");
        }
        String idTokenHint = single(parameters, "id_token_hint", redirectUri, state).orElse(null);
        List<String> resources;
        try {
            resources = ResourceIndicators.requirePermitted(ResourceIndicators.parse(parameters.get("resource")),
                    client, ownAudience);
        } catch (dev.tokenservice.http.ApiError invalidTarget) {
            throw AuthorizationProblem.redirected(redirectUri, state, invalidTarget.code(), invalidTarget.description());
        }
        String dpopJkt = single(parameters, "dpop_jkt", redirectUri, state).orElse(null);
        if (dpopJkt != null && !THUMBPRINT.matcher(dpopJkt).matches()) {
            throw AuthorizationProblem.redirected(redirectUri, state, "invalid_request",
                    "dpop_jkt must be a JWK SHA-256 thumbprint (43 base64url characters, RFC 9449 §10)");
        }
        return new AuthorizationRequest(client, redirectUri, scopes, state, challenge, nonce, maxAge, prompt,
                idTokenHint, resources, dpopJkt);
    }

    /** RFC 6749's VSCHAR (printable ASCII) within LONGEST_STATE: what state may be, at authorize and at logout. */
    static boolean isAcceptableState(String state) {
        return state.length() <= LONGEST_STATE && state.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
    }

    /** The scopes the client may be granted: its registered ones, and OpenID's own in an OpenID request. */
    public static List<String> permittedScopes(ClientItem client, boolean openIdRequest) {
        List<String> registered = client.scopesOrEmpty();
        if (!openIdRequest || !registered.contains(OPENID)) {
            return registered;
        }
        List<String> permitted = new java.util.ArrayList<>(registered);
        OpenIdScopes.OPENID_SCOPES.stream().filter(scope -> !permitted.contains(scope)).forEach(permitted::add);
        return permitted;
    }

    private static void refuseIfPresent(Map<String, List<String>> parameters, String name, String error,
            String redirectUri, String state) {
        if (parameters.containsKey(name)) {
            throw AuthorizationProblem.redirected(redirectUri, state, error, "the parameter " + name + " is not supported");
        }
    }

    /** Exact string match against a registered URI (no prefix, no normalisation); one may be implied. */
    private static String redirectUriOf(Map<String, List<String>> parameters, ClientItem client) {
        List<String> registered = client.getRedirectUris();
        Optional<String> requested = single(parameters, "redirect_uri", null, null);
        if (requested.isEmpty()) {
            if (registered.size() == 1) {
                return registered.get(0);
            }
            throw AuthorizationProblem.shownToUser("redirect_uri is required: the client registered several");
        }
        if (!registered.contains(requested.get())) {
            throw AuthorizationProblem.shownToUser("redirect_uri does not match any URI registered for the client");
        }
        return requested.get();
    }

    private static Optional<String> single(Map<String, List<String>> parameters, String name, String redirectUri,
            String state) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            String description = "the parameter " + name + " is repeated";
            throw redirectUri == null ? AuthorizationProblem.shownToUser(description)
                    : AuthorizationProblem.redirected(redirectUri, state, "invalid_request", description);
        }
        return values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
