package dev.tokenservice.openid;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import dev.tokenservice.tokens.AccessTokenIssuer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * OpenID Connect ID tokens (Core §2, §3.1.3.6): signed by the key that signs access tokens, through the same
 * signer, so the JWKS verifies both and every signing mode serves both. They are not stored: nothing accepts
 * an ID token as a credential; the session they name (sid) is what logout revokes.
 */
public final class IdTokens {

    private final SigningKeys keys;
    private final Clock clock;
    private final Duration lifetime;
    private final Duration hintAcceptance;

    /** What one ID token says beyond issuer and time: who, for which client, since when, in which session. */
    public record Claims(String subject, String clientId, Long authTime, String nonce, String session,
            UserClaims user, List<String> scopes) {
    }

    /**
     * @param hintAcceptance how long past its exp an ID token is still accepted as id_token_hint (RP-Initiated
     *                       Logout §2: an expired hint still names a session that may be live)
     */
    public IdTokens(SigningKeys keys, Clock clock, Duration lifetime, Duration hintAcceptance) {
        this.keys = keys;
        this.clock = clock;
        this.lifetime = lifetime;
        this.hintAcceptance = hintAcceptance;
    }

    /** A signed ID token whose at_hash binds it to the access token issued beside it. */
    public String issue(String issuer, Claims claims, String accessToken) {
        TokenSigner signer = keys.active();
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        JWTClaimsSet.Builder body = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(claims.subject())
                .audience(claims.clientId())
                .expirationTime(Date.from(now.plus(lifetime)))
                .issueTime(Date.from(now))
                .claim("azp", claims.clientId())
                .claim("at_hash", tokenHash(accessToken, signer.algorithm()));
        if (claims.authTime() != null) {
            body.claim("auth_time", claims.authTime());
        }
        if (claims.nonce() != null) {
            body.claim("nonce", claims.nonce());
        }
        if (claims.session() != null) {
            body.claim("sid", claims.session());
        }
        if (!claims.user().amr().isEmpty()) {
            body.claim("amr", claims.user().amr());
        }
        if (claims.user().acr() != null) {
            body.claim("acr", claims.user().acr());
        }
        // The standard claims the scopes release, as Keycloak and Auth0 put them in the ID token too: many relying
        // parties read name and email from it rather than calling userinfo (Core §5.4 allows both).
        claims.user().releasedBy(claims.scopes()).forEach(body::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signer.algorithm()).type(JOSEObjectType.JWT)
                .keyID(signer.keyId()).build(), body.build());
        AccessTokenIssuer.sign(jwt, signer);
        return jwt.serialize();
    }

    /**
     * The claims of an ID token this issuer signed (an access token is not one), accepted for a while after
     * it expired; empty for anything else.
     */
    public Optional<JWTClaimsSet> verifyHint(String idToken, String issuer) {
        try {
            SignedJWT jwt = SignedJWT.parse(idToken);
            if (!JOSEObjectType.JWT.equals(jwt.getHeader().getType())) {
                return Optional.empty();
            }
            var verifier = keys.verifierFor(jwt.getHeader());
            if (verifier.isEmpty() || !jwt.verify(verifier.get())) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (!issuer.equals(claims.getIssuer()) || claims.getSubject() == null || exp == null
                    || exp.toInstant().plus(hintAcceptance).isBefore(clock.instant())) {
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (ParseException | JOSEException | IllegalStateException notAnIdToken) {
            return Optional.empty();
        }
    }

    /** at_hash (Core §3.1.3.6): base64url of the left half of the token's hash under the signature's SHA-2. */
    static String tokenHash(String accessToken, JWSAlgorithm algorithm) {
        String name = algorithm.getName();
        String bits = name.endsWith("384") ? "384" : name.endsWith("512") ? "512" : "256";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-" + bits).digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, digest.length / 2));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-" + bits + " is unavailable", e);
        }
    }
}
