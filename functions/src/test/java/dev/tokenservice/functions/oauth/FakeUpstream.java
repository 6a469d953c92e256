package dev.tokenservice.functions.oauth;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tokenservice.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An OpenID provider on loopback for the broker's tests: real HTTP, a real RSA key, real signed ID tokens. It
 * serves discovery, its JWKS and a token endpoint that checks client_secret_basic and PKCE; a test bends the ID
 * token it issues (another issuer, a broken signature, ...) through {@link #idTokens}.
 */
final class FakeUpstream implements AutoCloseable {

    static final String CLIENT_ID = "broker-at-upstream";
    static final String CLIENT_SECRET = "upstream-secret-value";

    private final HttpServer server;
    private final RSAKey key;
    private final Clock clock;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    final AtomicInteger tokenRequests = new AtomicInteger();
    final AtomicInteger jwksRequests = new AtomicInteger();
    /** How the next ID token's claims are changed before signing (identity by default). */
    volatile UnaryOperator<JWTClaimsSet> idTokens = UnaryOperator.identity();
    /** What happens to the signed ID token (e.g. a flipped signature byte). */
    volatile UnaryOperator<String> serialized = UnaryOperator.identity();
    volatile Algorithm algorithm = JWSAlgorithm.RS256;
    volatile boolean jwksAvailable = true;

    private record Grant(String subject, String nonce, String challenge, Map<String, Object> claims) {
    }

    FakeUpstream(Clock clock) throws IOException, JOSEException {
        this.clock = clock;
        this.key = new RSAKeyGenerator(2048).keyID("upstream-key-1").generate();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/jwks", this::jwks);
        server.createContext("/token", this::token);
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A code the upstream issued after the person signed in, for the nonce and challenge of the broker's request. */
    String issueCode(String subject, String nonce, String challenge, Map<String, Object> claims) {
        String code = "code-" + codes.size() + "-" + System.nanoTime();
        codes.put(code, new Grant(subject, nonce, challenge, claims));
        return code;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void discovery(HttpExchange exchange) throws IOException {
        var document = Json.object().put("issuer", issuer())
                .put("authorization_endpoint", issuer() + "/authorize")
                .put("token_endpoint", issuer() + "/token")
                .put("jwks_uri", issuer() + "/jwks")
                .put("end_session_endpoint", issuer() + "/logout");
        reply(exchange, 200, document.toString());
    }

    private void jwks(HttpExchange exchange) throws IOException {
        jwksRequests.incrementAndGet();
        if (!jwksAvailable) {
            reply(exchange, 503, "{}");
            return;
        }
        reply(exchange, 200, new JWKSet(key.toPublicJWK()).toString());
    }

    private void token(HttpExchange exchange) throws IOException {
        tokenRequests.incrementAndGet();
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            reply(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        Grant grant = codes.remove(form.getOrDefault("code", ""));
        if (grant == null || !"authorization_code".equals(form.get("grant_type"))
                || !grant.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
            reply(exchange, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        String accessToken = "upstream-access-token-" + System.nanoTime();
        long now = clock.instant().getEpochSecond();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer()).subject(grant.subject())
                .audience(CLIENT_ID).issueTime(new Date(now * 1000)).expirationTime(new Date((now + 300) * 1000))
                .claim("nonce", grant.nonce()).claim("auth_time", now - 5).claim("at_hash", atHash(accessToken));
        grant.claims().forEach(claims::claim);
        JWTClaimsSet body = idTokens.apply(claims.build());
        String idToken;
        try {
            if (algorithm.equals(Algorithm.NONE)) {
                idToken = new PlainJWT(body).serialize();
            } else if (algorithm.equals(JWSAlgorithm.HS256)) {
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(), body);
                jwt.sign(new MACSigner(CLIENT_SECRET.repeat(2)));
                idToken = jwt.serialize();
            } else {
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder((JWSAlgorithm) algorithm).keyID(key.getKeyID()).build(), body);
                jwt.sign(new RSASSASigner(key));
                idToken = jwt.serialize();
            }
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        reply(exchange, 200, Json.object().put("access_token", accessToken).put("token_type", "Bearer")
                .put("id_token", serialized.apply(idToken)).put("expires_in", 300).toString());
    }

    static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String atHash(String accessToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
