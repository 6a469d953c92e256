package dev.tokenservice.broker;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.broker.SignInFailure.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

/**
 * The checks of an upstream's ID token (OpenID Connect Core §3.1.3.7): signed with an allowed asymmetric
 * algorithm by a key of the upstream's JWKS (never "none", never an HMAC keyed by something a client knows),
 * issued by the configured issuer for this service's client, within its times, for this sign-in's nonce, and
 * bound to the access token beside it where it carries at_hash.
 */
final class UpstreamIdToken {

    static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256);
    /** Clocks of two services differ a little; more than this is a token out of its time. */
    static final long CLOCK_SKEW_SECONDS = 60;

    private UpstreamIdToken() {
    }

    static JWTClaimsSet verify(UpstreamProvider provider, String idToken, Optional<String> accessToken, String nonce,
            Clock clock) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            JWT parsed = JWTParser.parse(idToken);
            if (!(parsed instanceof SignedJWT signed)) {
                // An unsigned ("none") or encrypted token: nothing this service could trust it by.
                throw new SignInFailure(Reason.ALGORITHM_REFUSED, String.valueOf(parsed.getHeader().getAlgorithm()));
            }
            jwt = signed;
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException unreadable) {
            throw new SignInFailure(Reason.ID_TOKEN_MALFORMED);
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!ALLOWED.contains(algorithm)) {
            throw new SignInFailure(Reason.ALGORITHM_REFUSED, UpstreamProvider.printable(String.valueOf(algorithm)));
        }
        JWK key = provider.key(jwt.getHeader().getKeyID()).orElseThrow(() ->
                new SignInFailure(Reason.BAD_SIGNATURE, "signed by a key the upstream does not publish"));
        try {
            if (!jwt.verify(verifier(algorithm, key))) {
                throw new SignInFailure(Reason.BAD_SIGNATURE);
            }
        } catch (JOSEException unusable) {
            throw new SignInFailure(Reason.BAD_SIGNATURE, "the published key does not fit the token's algorithm");
        }
        Upstream upstream = provider.upstream();
        if (!upstream.issuer().equals(claims.getIssuer())) {
            throw new SignInFailure(Reason.WRONG_ISSUER);
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(upstream.clientId())) {
            throw new SignInFailure(Reason.WRONG_AUDIENCE);
        }
        // Core §3.1.3.7 (3): with several audiences the token names this client as its authorized party.
        Object azp = claims.getClaim("azp");
        if (claims.getAudience().size() > 1 && !upstream.clientId().equals(azp)) {
            throw new SignInFailure(Reason.WRONG_AUDIENCE, "several audiences without this client as azp");
        }
        long now = clock.instant().getEpochSecond();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || exp.toInstant().getEpochSecond() + CLOCK_SKEW_SECONDS <= now
                || (iat != null && iat.toInstant().getEpochSecond() - CLOCK_SKEW_SECONDS > now)
                || (claims.getNotBeforeTime() != null
                        && claims.getNotBeforeTime().toInstant().getEpochSecond() - CLOCK_SKEW_SECONDS > now)) {
            throw new SignInFailure(Reason.EXPIRED);
        }
        if (!nonce.equals(claims.getClaim("nonce"))) {
            throw new SignInFailure(Reason.NONCE_MISMATCH);
        }
        Object atHash = claims.getClaim("at_hash");
        if (atHash != null && (accessToken.isEmpty() || !atHash.equals(tokenHash(accessToken.get())))) {
            throw new SignInFailure(Reason.AT_HASH_MISMATCH);
        }
        return claims;
    }

    private static JWSVerifier verifier(JWSAlgorithm algorithm, JWK key) throws JOSEException {
        if (JWSAlgorithm.ES256.equals(algorithm) && key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        if (!JWSAlgorithm.ES256.equals(algorithm) && key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        throw new JOSEException("key type " + key.getKeyType() + " cannot verify " + algorithm);
    }

    /** at_hash (Core §3.1.3.6) under SHA-256, the hash of every allowed algorithm. */
    static String tokenHash(String accessToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
