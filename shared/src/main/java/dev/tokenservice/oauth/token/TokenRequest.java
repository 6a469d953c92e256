package dev.tokenservice.oauth.token;

import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.oauth.OAuthErrors;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The parameters of a token request: form-encoded, each at most once (RFC 6749 §3.2). */
public final class TokenRequest {

    private final ApiRequest http;
    private final Map<String, List<String>> parameters;

    private TokenRequest(ApiRequest http, Map<String, List<String>> parameters) {
        this.http = http;
        this.parameters = parameters;
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
            if (values.size() > 1) {
                throw OAuthErrors.invalidRequest("the parameter " + name + " is repeated");
            }
        });
        return new TokenRequest(http, parameters);
    }

    public ApiRequest http() {
        return http;
    }

    public Optional<String> parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.get(0).isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public String required(String name) {
        return parameter(name).orElseThrow(() -> OAuthErrors.invalidRequest("the parameter " + name + " is required"));
    }
}
