package dev.tokenservice.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.http.Json;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.TokenRepository;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Browser sessions: a credential of their own kind (a JWT typed {@code session+jwt}), minted only for a login
 * front end and accepted only by the browser-facing routes. An access token, refresh token or ID token is never a
 * session, and a session is never an access token: the APIs accept {@code at+jwt} alone. A session is not stored;
 * ending it writes one revocation record for its sid, which also ends every code and token issued in it.
 */
public final class Sessions {

    public static final JOSEObjectType SESSION_JWT = new JOSEObjectType("session+jwt");
    private static final long CLOCK_SKEW_SECONDS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKeys keys;
    private final TokenRepository tokens;
    private final Clock clock;
    private final Duration lifetime;

    public Sessions(SigningKeys keys, TokenRepository tokens, Clock clock, Duration lifetime) {
        this.keys = keys;
        this.tokens = tokens;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A session credential (to set as the asc_auth_key cookie) vouched for by the given front end's client. */
    public Minted mint(String issuer, String frontEnd, NewSession request) {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        long authTime = request.authTime() == null ? now.getEpochSecond() : request.authTime();
        String sessionId = randomId();
        JWTClaimsSet.Builder body = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(issuer)
                .subject(request.subject())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(randomId())
                .claim("sid", sessionId)
                .claim("azp", frontEnd)
                .claim("auth_time", authTime);
        UserClaims claims = request.claims();
        if (!claims.amr().isEmpty()) {
            body.claim("amr", claims.amr());
        }
        if (claims.acr() != null) {
            body.claim("acr", claims.acr());
        }
        if (!claims.profile().isEmpty()) {
            body.claim("profile", Json.MAPPER.convertValue(claims.profile(), Map.class));
        }
        TokenSigner signer = keys.active();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signer.algorithm()).type(SESSION_JWT)
                .keyID(signer.keyId()).build(), body.build());
        AccessTokenIssuer.sign(jwt, signer);
        return new Minted(jwt.serialize(), new Session(request.subject(), sessionId, frontEnd, authTime,
                now.getEpochSecond(), claims), lifetime.toSeconds());
    }

    /** A minted session: the credential, what it says, and for how many seconds it is valid. */
    public record Minted(String credential, Session session, long expiresIn) {
    }

    /**
     * The live session the cookie holds; none when there is no cookie; refused, saying why, for anything else
     * (another kind of token, a forgery, an expired or ended session). Ended: one strongly consistent read of the
     * revocation records that cover it (its sid, its subject, the front end that vouched for it).
     */
    public SessionCheck check(Optional<String> cookie, String issuer) {
        if (cookie.isEmpty() || cookie.get().isEmpty()) {
            return SessionCheck.none();
        }
        JWTClaimsSet claims;
        try {
            SignedJWT jwt = SignedJWT.parse(cookie.get());
            if (!SESSION_JWT.equals(jwt.getHeader().getType())) {
                return SessionCheck.refused("the asc_auth_key cookie holds a token that is not a session "
                        + "(an access token is not a sign-in); sign in again");
            }
            var verifier = keys.verifierFor(jwt.getHeader());
            if (verifier.isEmpty() || !jwt.verify(verifier.get())) {
                return SessionCheck.refused("the session was not signed by this service; sign in again");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | JOSEException | IllegalStateException malformed) {
            return SessionCheck.refused("the asc_auth_key cookie does not hold a session; sign in again");
        }
        long now = clock.instant().getEpochSecond();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        String sessionId = text(claims, "sid");
        String frontEnd = text(claims, "azp");
        Long authTime = number(claims, "auth_time");
        if (!issuer.equals(claims.getIssuer()) || claims.getAudience() == null || !claims.getAudience().contains(issuer)
                || claims.getSubject() == null || sessionId == null || frontEnd == null || authTime == null
                || iat == null || exp == null) {
            return SessionCheck.refused("the session was issued for another service; sign in again");
        }
        if (exp.toInstant().getEpochSecond() <= now) {
            return SessionCheck.refused("the session has expired; sign in again");
        }
        long issuedAt = iat.toInstant().getEpochSecond();
        if (issuedAt > now + CLOCK_SKEW_SECONDS) {
            return SessionCheck.refused("the session is not valid yet; sign in again");
        }
        // Revocation records are stamped in milliseconds, iat in seconds: a session minted within the second of a
        // record counts as covered by it, so the person signs in once more rather than keep a session that ended.
        if (issuedAt * 1000 <= tokens.revokedUpTo(frontEnd, claims.getSubject(), sessionId)) {
            return SessionCheck.refused("the session was ended (signed out); sign in again");
        }
        return SessionCheck.of(new Session(claims.getSubject(), sessionId, frontEnd, authTime, issuedAt,
                claimsOf(claims)));
    }

    /** Ends the session and, with it, every code and token issued in it (they carry its sid). */
    public void end(Session session, long keepUntilEpochSecond) {
        tokens.revokeSession(session.sessionId(), keepUntilEpochSecond);
    }

    public Duration lifetime() {
        return lifetime;
    }

    private static UserClaims claimsOf(JWTClaimsSet claims) {
        List<String> amr = new ArrayList<>();
        if (claims.getClaim("amr") instanceof List<?> methods) {
            methods.forEach(method -> amr.add(String.valueOf(method)));
        }
        JsonNode profile = claims.getClaim("profile") instanceof Map<?, ?> given ? Json.MAPPER.valueToTree(given) : null;
        return new UserClaims(List.copyOf(amr), text(claims, "acr"),
                profile != null && profile.isObject() ? (com.fasterxml.jackson.databind.node.ObjectNode) profile
                        : Json.object());
    }

    /** 128 random bits, base64url: a session's sid and its jti. */
    private static String randomId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String text(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String value && !value.isEmpty() ? value : null;
    }

    private static Long number(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof Number value ? value.longValue() : null;
    }
}
