package dev.tokenservice.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

/**
 * A client's DPoP key and the proofs it makes (RFC 9449 §4.2), written here with Nimbus rather than by the code under
 * test; each proof can be spoiled one field at a time.
 */
public final class DpopProver {

    private final JWK key;
    private final JWSAlgorithm algorithm;
    private final Clock clock;

    private DpopProver(JWK key, JWSAlgorithm algorithm, Clock clock) {
        this.key = key;
        this.algorithm = algorithm;
        this.clock = clock;
    }

    public static DpopProver es256(Clock clock) {
        try {
            return new DpopProver(new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate(),
                    JWSAlgorithm.ES256, clock);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DpopProver rs256(Clock clock) {
        try {
            return new DpopProver(new RSAKeyGenerator(2048).generate(), JWSAlgorithm.RS256, clock);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 7638 thumbprint of the public key: what a bound token's cnf.jkt must be. */
    public String thumbprint() {
        try {
            return key.computeThumbprint("SHA-256").toString();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A proof for a request: method and URI, and for a protected resource the access token (ath). */
    public String proof(String method, String uri, String accessToken) {
        return build().method(method).uri(uri).accessToken(accessToken).sign();
    }

    public Proof build() {
        return new Proof();
    }

    /** One proof, every field settable; by default a fresh jti and iat now. */
    public final class Proof {
        private String method;
        private String uri;
        private String accessToken;
        private String nonce;
        private String jti = UUID.randomUUID().toString();
        private long iat = clock.instant().getEpochSecond();
        private String type = "dpop+jwt";
        private boolean privateKeyInHeader;
        private boolean hmac;

        public Proof method(String value) { method = value; return this; }
        public Proof uri(String value) { uri = value; return this; }
        public Proof accessToken(String value) { accessToken = value; return this; }
        public Proof nonce(String value) { nonce = value; return this; }
        public Proof jti(String value) { jti = value; return this; }
        public Proof issuedAt(long epochSeconds) { iat = epochSeconds; return this; }
        public Proof type(String value) { type = value; return this; }
        public Proof privateKeyInHeader() { privateKeyInHeader = true; return this; }
        public Proof hmac() { hmac = true; return this; }

        public String sign() {
            try {
                JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().jwtID(jti).claim("htm", method)
                        .claim("htu", uri).issueTime(new Date(iat * 1000));
                if (accessToken != null) {
                    claims.claim("ath", Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest
                            .getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII))));
                }
                if (nonce != null) {
                    claims.claim("nonce", nonce);
                }
                JWSAlgorithm alg = hmac ? JWSAlgorithm.HS256 : algorithm;
                if (privateKeyInHeader) {
                    // Nimbus will not put a private key in a header, so this one is written by hand.
                    String header = "{\"alg\":\"" + alg + "\",\"typ\":\"" + type + "\",\"jwk\":" + key.toJSONString() + "}";
                    String input = base64(header.getBytes(StandardCharsets.UTF_8)) + "."
                            + base64(claims.build().toString().getBytes(StandardCharsets.UTF_8));
                    return input + "." + signer(alg).sign(new JWSHeader(alg), input.getBytes(StandardCharsets.US_ASCII));
                }
                JWSHeader header = new JWSHeader.Builder(alg).type(new JOSEObjectType(type)).jwk(key.toPublicJWK()).build();
                SignedJWT jwt = new SignedJWT(header, claims.build());
                jwt.sign(signer(alg));
                return jwt.serialize();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static String base64(byte[] bytes) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        private JWSSigner signer(JWSAlgorithm alg) throws JOSEException {
            if (alg.equals(JWSAlgorithm.HS256)) {
                return new MACSigner(new byte[32]);
            }
            return key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner(key.toRSAKey());
        }
    }
}
