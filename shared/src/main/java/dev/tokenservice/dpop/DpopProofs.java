package dev.tokenservice.dpop;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks the DPoP proof of a request (RFC 9449 §4.3): one {@code DPoP} header holding a JWT typed dpop+jwt, signed
 * with an allowed asymmetric algorithm by the public key in its own header, for this request's method and URI, made
 * within the last minute, never seen before (its jti is recorded once, conditionally), with the server's nonce when
 * nonces are required, and, when it accompanies an access token, over that token ({@code ath}).
 */
public final class DpopProofs {

    public static final String HEADER = "DPoP";
    /** What dpop_signing_alg_values_supported says: the asymmetric algorithms this service verifies. */
    public static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
            JWSAlgorithm.PS256);
    static final JOSEObjectType TYPE = new JOSEObjectType("dpop+jwt");
    /** How old a proof may be: long enough for a slow network, short enough that the replay records stay few. */
    static final long MAX_AGE_SECONDS = 60;
    /** How far ahead of this clock a client's clock may be. */
    static final long CLOCK_SKEW_SECONDS = 10;
    private static final int MAX_JTI_LENGTH = 256;
    private static final int MIN_RSA_BITS = 2048;

    private final TokenRepository seen;
    private final Clock clock;
    private final Optional<DpopNonces> nonces;

    /** @param nonces present when every proof must carry a nonce this service handed out */
    public DpopProofs(TokenRepository seen, Clock clock, Optional<DpopNonces> nonces) {
        this.seen = seen;
        this.clock = clock;
        this.nonces = nonces;
    }

    public Optional<DpopNonces> nonces() {
        return nonces;
    }

    /** Whether the request carries a DPoP header at all. */
    public static boolean presentIn(ApiRequest http) {
        return http.header(HEADER).isPresent();
    }

    /**
     * The request's proof, verified and recorded; empty when it carries none.
     *
     * @param uri         the URI the request was sent to, as the client saw it (query and fragment are ignored)
     * @param accessToken the access token the proof accompanies, or null at the token endpoint
     * @throws DpopRefused when there is a proof and it is not acceptable
     */
    public Optional<DpopProof> verify(ApiRequest http, String uri, String accessToken) {
        Optional<String> header = http.header(HEADER);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        if (http.headerCount(HEADER) > 1 || header.get().contains(",")) {
            throw refused("the request carries more than one DPoP header");
        }
        SignedJWT proof;
        JWTClaimsSet claims;
        try {
            proof = SignedJWT.parse(header.get().trim());
            claims = proof.getJWTClaimsSet();
        } catch (ParseException malformed) {
            throw refused("the DPoP proof is not a signed JWT");
        }
        if (!TYPE.equals(proof.getHeader().getType())) {
            throw refused("the DPoP proof's typ must be dpop+jwt");
        }
        JWSAlgorithm algorithm = proof.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(algorithm)) {
            throw refused("the DPoP proof's alg must be one of " + names());
        }
        JWK key = proof.getHeader().getJWK();
        if (key == null) {
            throw refused("the DPoP proof's header lacks its public key (jwk)");
        }
        if (key.isPrivate()) {
            throw refused("the DPoP proof's jwk must be a public key");
        }
        if (!signedBy(proof, key, algorithm)) {
            throw refused("the DPoP proof's signature does not verify with its jwk");
        }
        String jti = text(claims, "jti");
        if (jti == null || jti.isEmpty() || jti.length() > MAX_JTI_LENGTH) {
            throw refused("the DPoP proof needs a jti of 1 to " + MAX_JTI_LENGTH + " characters");
        }
        if (!http.method().equals(text(claims, "htm"))) {
            throw refused("the DPoP proof's htm is not this request's method " + http.method());
        }
        String htu = text(claims, "htu");
        if (htu == null || !sameUri(htu, uri)) {
            throw refused("the DPoP proof's htu is not this request's URI " + withoutQuery(uri));
        }
        long issuedAt = issuedAt(claims);
        long now = clock.instant().getEpochSecond();
        if (issuedAt > now + CLOCK_SKEW_SECONDS || issuedAt < now - MAX_AGE_SECONDS) {
            throw refused("the DPoP proof's iat is not within the last " + MAX_AGE_SECONDS + " seconds");
        }
        if (nonces.isPresent() && !nonces.get().accepts(text(claims, "nonce"))) {
            throw new DpopRefused(text(claims, "nonce") == null ? "the DPoP proof must carry the server's nonce"
                    : "the DPoP proof's nonce is not a current nonce of this server", true);
        }
        if (accessToken != null) {
            String ath = text(claims, "ath");
            if (ath == null || !MessageDigest.isEqual(ath.getBytes(StandardCharsets.US_ASCII),
                    sha256(accessToken).getBytes(StandardCharsets.US_ASCII))) {
                throw refused("the DPoP proof's ath is not the hash of the access token it accompanies");
            }
        }
        String thumbprint = thumbprint(key);
        // Recorded last: a proof refused for any other reason leaves no row behind.
        if (!seen.recordOnce(TokenKeys.dpopProof(sha256(thumbprint + " " + jti)),
                issuedAt + MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS)) {
            throw refused("the DPoP proof was used before (its jti was seen)");
        }
        return Optional.of(new DpopProof(thumbprint));
    }

    /** base64url(SHA-256(value)), as ath and the replay records are written. */
    static String sha256(String value) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private static boolean signedBy(SignedJWT proof, JWK key, JWSAlgorithm algorithm) {
        try {
            JWSVerifier verifier;
            if (key instanceof RSAKey rsa && (algorithm.equals(JWSAlgorithm.RS256) || algorithm.equals(JWSAlgorithm.PS256))) {
                if (rsa.size() < MIN_RSA_BITS) {
                    return false;
                }
                verifier = new RSASSAVerifier(rsa);
            } else if (key instanceof ECKey ec && algorithm.equals(JWSAlgorithm.ES256) && Curve.P_256.equals(ec.getCurve())) {
                verifier = new ECDSAVerifier(ec);
            } else {
                return false;
            }
            return proof.verify(verifier);
        } catch (JOSEException | IllegalStateException unusable) {
            return false;
        }
    }

    private static String thumbprint(JWK key) {
        try {
            return key.computeThumbprint("SHA-256").toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** RFC 9449 §4.3: compared without query and fragment, after scheme-based normalisation (RFC 3986 §6.2.2-3). */
    static boolean sameUri(String presented, String expected) {
        return normalised(presented).map(p -> p.equals(normalised(expected).orElse(null))).orElse(false);
    }

    private static Optional<String> normalised(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getScheme() == null || parsed.getHost() == null) {
                return Optional.empty();
            }
            String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
            int port = parsed.getPort();
            boolean defaultPort = port == -1 || ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
            String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
            return Optional.of(scheme + "://" + parsed.getHost().toLowerCase(Locale.ROOT)
                    + (defaultPort ? "" : ":" + port) + path);
        } catch (URISyntaxException malformed) {
            return Optional.empty();
        }
    }

    private static String withoutQuery(String uri) {
        int cut = uri.indexOf('?');
        return cut < 0 ? uri : uri.substring(0, cut);
    }

    private static long issuedAt(JWTClaimsSet claims) {
        try {
            Date iat = claims.getDateClaim("iat");
            if (iat == null) {
                throw refused("the DPoP proof lacks iat");
            }
            return iat.toInstant().getEpochSecond();
        } catch (ParseException notANumber) {
            throw refused("the DPoP proof's iat is not a number");
        }
    }

    private static String text(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String value ? value : null;
    }

    private static String names() {
        return String.join(", ", ALGORITHMS.stream().map(JWSAlgorithm::getName).toList());
    }

    private static DpopRefused refused(String description) {
        return new DpopRefused(description, false);
    }
}
