package dev.tokenservice.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tokenservice.broker.SignInFailure.Reason;
import dev.tokenservice.http.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The upstream provider over HTTP: its discovery document and its JWKS, each read once per container (the JWKS
 * again, once, when a token names a key it does not hold: the upstream rotated), and the code exchange. Every
 * call is bounded (a few seconds to connect and to answer), so that a slow or stopped upstream becomes a page
 * for the person, well inside the function's timeout.
 */
public final class UpstreamProvider {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    private static final int LARGEST_DOCUMENT = 256 * 1024;

    /** What this service uses of the discovery document (OpenID Connect Discovery §3). */
    public record Endpoints(String authorization, String token, String jwks, Optional<String> endSession) {
    }

    /** What the token endpoint answered: the ID token and the access token issued beside it. */
    public record Tokens(String idToken, Optional<String> accessToken) {
    }

    private final Upstream upstream;
    private final HttpClient http;
    private volatile Endpoints endpoints;
    private volatile JWKSet keys;

    public UpstreamProvider(Upstream upstream) {
        this(upstream, HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    UpstreamProvider(Upstream upstream, HttpClient http) {
        this.upstream = upstream;
        this.http = http;
    }

    public Upstream upstream() {
        return upstream;
    }

    /** The endpoints of the discovery document, whose issuer must be the configured one (Discovery §4.3). */
    public Endpoints endpoints() {
        Endpoints known = endpoints;
        if (known != null) {
            return known;
        }
        String base = upstream.issuer().endsWith("/") ? upstream.issuer().substring(0, upstream.issuer().length() - 1)
                : upstream.issuer();
        JsonNode document = json(get(base + "/.well-known/openid-configuration", Reason.DISCOVERY_UNAVAILABLE),
                Reason.DISCOVERY_UNAVAILABLE);
        if (!upstream.issuer().equals(document.path("issuer").asText())) {
            throw new SignInFailure(Reason.DISCOVERY_UNAVAILABLE, "the discovery document names another issuer");
        }
        String authorization = document.path("authorization_endpoint").asText("");
        String token = document.path("token_endpoint").asText("");
        String jwks = document.path("jwks_uri").asText("");
        if (!isHttpUrl(authorization) || !isHttpUrl(token) || !isHttpUrl(jwks)) {
            throw new SignInFailure(Reason.DISCOVERY_UNAVAILABLE,
                    "the discovery document lacks an authorization, token or jwks_uri endpoint");
        }
        String endSession = document.path("end_session_endpoint").asText("");
        known = new Endpoints(authorization, token, jwks, isHttpUrl(endSession) ? Optional.of(endSession) : Optional.empty());
        endpoints = known;
        return known;
    }

    /** The upstream's public key of this id; the JWKS is read again once when the id is unknown (a rotation). */
    public Optional<JWK> key(String keyId) {
        JWKSet set = keys;
        if (set == null || (keyId != null && set.getKeyByKeyId(keyId) == null)) {
            set = readKeys();
            keys = set;
        }
        if (keyId == null) {
            return set.getKeys().size() == 1 ? Optional.of(set.getKeys().get(0)) : Optional.empty();
        }
        return Optional.ofNullable(set.getKeyByKeyId(keyId));
    }

    private JWKSet readKeys() {
        String document = get(endpoints().jwks(), Reason.JWKS_UNAVAILABLE);
        try {
            return JWKSet.parse(document);
        } catch (ParseException | RuntimeException unreadable) {
            // Nimbus reads some malformed sets (a null where a key goes) with a runtime exception, not a ParseException.
            throw new SignInFailure(Reason.JWKS_UNAVAILABLE, "the JWKS is not a JSON Web Key Set");
        }
    }

    /** The authorization code exchanged for tokens, the client authenticated by client_secret_basic (RFC 6749 §2.3.1). */
    public Tokens exchange(String code, String redirectUri, String codeVerifier) {
        String form = Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", redirectUri,
                "code_verifier", codeVerifier).entrySet().stream()
                .map(field -> field.getKey() + "=" + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        // RFC 6749 §2.3.1: the id and the secret are form-encoded before they are joined for Basic.
        String credentials = URLEncoder.encode(upstream.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(upstream.clientSecret().get(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoints().token())).timeout(ANSWER_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        credentials.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response = send(request);
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(bounded(response.body(), Reason.TOKEN_EXCHANGE_FAILED));
        } catch (IOException unreadable) {
            throw new SignInFailure(Reason.TOKEN_EXCHANGE_FAILED, "HTTP " + response.statusCode() + ", not JSON");
        }
        if (response.statusCode() != 200 || answer == null || !answer.path("id_token").isTextual()) {
            String error = answer == null ? "" : answer.path("error").asText("");
            throw new SignInFailure(Reason.TOKEN_EXCHANGE_FAILED, "HTTP " + response.statusCode()
                    + (error.isEmpty() ? ", no ID token" : ", " + printable(error)));
        }
        return new Tokens(answer.path("id_token").asText(),
                answer.path("access_token").isTextual() ? Optional.of(answer.path("access_token").asText()) : Optional.empty());
    }

    private String get(String url, Reason unavailable) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER_TIMEOUT)
                .header("Accept", "application/json").GET().build());
        if (response.statusCode() != 200) {
            throw new SignInFailure(unavailable, "HTTP " + response.statusCode());
        }
        return bounded(response.body(), unavailable);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException slow) {
            throw new SignInFailure(Reason.UPSTREAM_UNREACHABLE, "no answer within the time limit");
        } catch (ConnectException refused) {
            throw new SignInFailure(Reason.UPSTREAM_UNREACHABLE, "connection failed");
        } catch (IOException failed) {
            throw new SignInFailure(Reason.UPSTREAM_UNREACHABLE, "the connection broke");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new SignInFailure(Reason.UPSTREAM_UNREACHABLE, "interrupted");
        }
    }

    private static JsonNode json(String body, Reason unreadable) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new SignInFailure(unreadable, "not a JSON object");
            }
            return node;
        } catch (IOException malformed) {
            throw new SignInFailure(unreadable, "not JSON");
        }
    }

    private static String bounded(String body, Reason unusable) {
        if (body == null || body.length() > LARGEST_DOCUMENT) {
            throw new SignInFailure(unusable, "an answer larger than " + LARGEST_DOCUMENT + " characters");
        }
        return body;
    }

    private static boolean isHttpUrl(String value) {
        return value.startsWith("https://") || value.startsWith("http://");
    }

    /** An upstream's error code as a fact for the page and the log: printable ASCII, bounded. */
    static String printable(String value) {
        String kept = value.replaceAll("[^\\x20-\\x7E]", "?");
        return kept.length() > 100 ? kept.substring(0, 100) : kept;
    }
}
