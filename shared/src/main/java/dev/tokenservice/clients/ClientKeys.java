package dev.tokenservice.clients;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.tokenservice.http.FieldRules;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Where a private_key_jwt client's public keys come from: a JWKS registered inline, or a jwks_uri the client
 * publishes it at (exactly one of the two, RFC 7591 §2). Both are judged here, at registration and again when a key
 * set is fetched, so that what was accepted once is accepted the same way later.
 */
public record ClientKeys(String jwks, String jwksUri) {

    public static final int MAX_JWKS_CHARS = 16_384;
    public static final int MAX_KEYS = 10;
    private static final int MAX_URI_CHARS = 2048;
    private static final int MIN_RSA_BITS = 2048;
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    /**
     * A public JWKS a client may register: at most {@value #MAX_KEYS} RSA (2048 bits or more) or P-256 keys, no
     * private part, each key usable for signatures. The problem goes to {@code refuse} with the field named.
     */
    public static JWKSet publicKeySet(String json, Function<String, RuntimeException> refuse) {
        if (json.length() > MAX_JWKS_CHARS) {
            throw refuse.apply("jwks: must be at most " + MAX_JWKS_CHARS + " characters");
        }
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException notAJwks) {
            throw refuse.apply("jwks: is not a JWK set (" + notAJwks.getMessage() + ")");
        } catch (RuntimeException notAJwks) {
            // Nimbus takes the parsed JSON as given: a key that is no object, or a member of the wrong type, fails
            // with a ClassCastException or the like rather than a ParseException.
            throw refuse.apply("jwks: is not a JWK set (every key must be a JWK object)");
        }
        List<JWK> keys = set.getKeys();
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            throw refuse.apply("jwks: must hold between 1 and " + MAX_KEYS + " keys");
        }
        for (JWK key : keys) {
            if (key.getKeyUse() != null && !"sig".equals(key.getKeyUse().identifier())) {
                throw refuse.apply("jwks: a key's use must be sig");
            }
            if (key instanceof RSAKey rsa) {
                if (rsa.size() < MIN_RSA_BITS) {
                    throw refuse.apply("jwks: an RSA key must have at least " + MIN_RSA_BITS + " bits");
                }
            } else if (!(key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve()))) {
                throw refuse.apply("jwks: keys must be RSA or EC P-256 (for RS256, PS256, ES256)");
            }
            if (key.isPrivate()) {
                throw refuse.apply("jwks: must hold public keys only (a key has a private part)");
            }
        }
        return set;
    }

    /**
     * A jwks_uri a client may register: an absolute https URL without user info or fragment. Plain http only to a
     * loopback host, and only where the deployment allows it (the local runner and tests): in Lambda, loopback is
     * the runtime API.
     */
    public static URI jwksUri(String value, boolean loopbackHttpAllowed, Function<String, RuntimeException> refuse) {
        if (FieldRules.characters(value) > MAX_URI_CHARS) {
            throw refuse.apply("jwks_uri: must be at most " + MAX_URI_CHARS + " characters");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException notAUri) {
            throw refuse.apply("jwks_uri: is not a URL");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw refuse.apply("jwks_uri: must be an absolute URL with a host, no user info and no fragment");
        }
        boolean https = "https".equals(uri.getScheme());
        boolean loopbackHttp = "http".equals(uri.getScheme()) && LOOPBACK.contains(uri.getHost());
        if (!https && !(loopbackHttp && loopbackHttpAllowed)) {
            throw refuse.apply("jwks_uri: must be an https URL");
        }
        return uri;
    }
}
