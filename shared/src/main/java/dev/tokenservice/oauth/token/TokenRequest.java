package dev.tokenservice.oauth.token;

import dev.tokenservice.dpop.DpopProof;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.oauth.OAuthErrors;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of a token request: form-encoded, each at most once (RFC 6749 §3.2), except the ones their RFCs
 * let repeat: resource (RFC 8707 §2) and audience (RFC 8693 §2.1).
 */
public final class TokenRequest {

    private static final java.util.Set<String> REPEATABLE = java.util.Set.of("resource", "audience");

    private final ApiRequest http;
    private final Map<String, List<String>> parameters;
    private final DpopProof proof;
    /** Whether this is a token endpoint request, whose DPoP proof (if any) was checked: it is to issue tokens. */
    private final boolean forTokens;

    private TokenRequest(ApiRequest http, Map<String, List<String>> parameters, DpopProof proof, boolean forTokens) {
        this.http = http;
        this.parameters = parameters;
        this.proof = proof;
        this.forTokens = forTokens;
    }

    public static TokenRequest parse(ApiRequest http) {
        if (!"POST".equalsIgnoreCase(http.method())) {
            throw OAuthErrors.invalidRequest("the token endpoint accepts POST only");
        }
        if (!http.hasContentType("application/x-www-form-urlencoded")) {
            throw OAuthErrors.invalidRequest("the body must be application/x-www-form-urlencoded");
        }
        Map<String, List<String>> parameters = http.formParameters();
        parameters.forEach((name, values) -> {
            if (values.size() > 1 && !REPEATABLE.contains(name)) {
                throw OAuthErrors.invalidRequest("the parameter " + name + " is repeated");
            }
        });
        return new TokenRequest(http, parameters, null, false);
    }

    /** This request with the DPoP proof it carried, verified (RFC 9449 §5). */
    public TokenRequest withProof(Optional<DpopProof> verified) {
        return new TokenRequest(http, parameters, verified.orElse(null), true);
    }

    /**
     * Whether the request asks the token endpoint for tokens (its proof checked, present or not): where a client
     * registered with dpop_bound_access_tokens must prove a key (RFC 9449 §5.2).
     */
    public boolean forTokens() {
        return forTokens;
    }

    /** The thumbprint of the key the request proved it holds: what the tokens it buys are bound to (cnf.jkt). */
    public Optional<String> dpopKey() {
        return Optional.ofNullable(proof).map(DpopProof::keyThumbprint);
    }

    public ApiRequest http() {
        return http;
    }

    public Optional<String> parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of a repeatable parameter, empty ones left out; empty when absent. */
    public List<String> values(String name) {
        List<String> values = parameters.get(name);
        return values == null ? List.of() : values.stream().filter(value -> !value.isEmpty()).toList();
    }

    public String required(String name) {
        return parameter(name).orElseThrow(() -> OAuthErrors.invalidRequest("the parameter " + name + " is required"));
    }
}
