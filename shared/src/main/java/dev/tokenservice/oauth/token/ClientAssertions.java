package dev.tokenservice.oauth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientAuthMethods;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.oauth.OAuthErrors;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenSchema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * private_key_jwt (RFC 7523 §2.2 and §3, OpenID Connect Core §9): a client proves itself with a JWT it signed with
 * one of its registered keys. Accepted: RS256, ES256 or PS256 (never none or an HMAC, which a public key would
 * "verify"); iss and sub the client id; aud this issuer, its token endpoint or the endpoint called; exp present and
 * at most {@link #LONGEST_LEAD} ahead; nbf and iat not in the future beyond {@link #SKEW}; a jti used once, which a
 * conditional write decides (no read, no Scan), kept until the assertion's exp.
 */
public final class ClientAssertions {

    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public static final Duration SKEW = Duration.ofSeconds(30);
    /** An assertion may be valid this long at most: its jti is remembered until its exp, a row per assertion. */
    public static final Duration LONGEST_LEAD = Duration.ofMinutes(10);
    static final int MAX_ASSERTION_CHARS = 8_192;
    static final int MAX_JTI_CHARS = 256;
    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
            JWSAlgorithm.PS256);

    private final Tables tables;
    private final Clock clock;
    private final ClientKeySets keySets;
    private final Function<ApiRequest, String> issuerOf;

    public ClientAssertions(Tables tables, Clock clock, ClientKeySets keySets, Function<ApiRequest, String> issuerOf) {
        this.tables = tables;
        this.clock = clock;
        this.keySets = keySets;
        this.issuerOf = issuerOf;
    }

    /** A presented assertion, parsed but not verified, with the audiences that name this server for the request. */
    public record Presented(SignedJWT jwt, String clientId, Set<String> audiences) {
    }

    /**
     * Reads an assertion from the request without I/O: 401 invalid_client for a value that is no signed JWT, an
     * algorithm not accepted, or no sub.
     */
    public Presented parse(String assertion, ApiRequest request) {
        if (assertion.length() > MAX_ASSERTION_CHARS) {
            throw refused("client_assertion: must be at most " + MAX_ASSERTION_CHARS + " characters");
        }
        SignedJWT jwt;
        String subject;
        try {
            jwt = SignedJWT.parse(assertion);
            subject = jwt.getJWTClaimsSet().getSubject();
        } catch (ParseException | IllegalArgumentException notAJwt) {
            throw refused("client_assertion: is not a signed JWT");
        }
        if (!ACCEPTED.contains(jwt.getHeader().getAlgorithm())) {
            throw refused("client_assertion: the algorithm " + jwt.getHeader().getAlgorithm() + " is not accepted ("
                    + String.join(", ", ClientAuthMethods.ASSERTION_ALGORITHMS) + ")");
        }
        if (subject == null || subject.isEmpty() || subject.length() > 128) {
            throw refused("client_assertion: sub (the client id) is required");
        }
        String issuer = issuerOf.apply(request);
        String path = request.event().getPath();
        int endpoint = path == null ? -1 : path.indexOf("/oauth2/");
        Set<String> audiences = Set.copyOf(endpoint < 0 ? List.of(issuer, issuer + "/oauth2/token")
                : List.of(issuer, issuer + "/oauth2/token", issuer + path.substring(endpoint)));
        return new Presented(jwt, subject, audiences);
    }

    /**
     * Whether the signature verifies with keys known without a network call (see {@link ClientKeySets}): what the
     * container's client cache asks before answering from a cached row. False is no refusal, only "read again".
     */
    public boolean verifiesWithoutFetching(ClientItem client, Presented assertion) {
        return keySets.withoutFetching(client).map(keys -> signedBy(keys, assertion.jwt()) == Signature.VALID)
                .orElse(false);
    }

    /** Verifies the assertion for the client and spends its jti; 401 invalid_client saying why otherwise. */
    public void verify(ClientItem client, Presented assertion) {
        SignedJWT jwt = assertion.jwt();
        Signature signature = signedBy(keySets.current(client), jwt);
        if (signature == Signature.UNKNOWN_KEY) {
            // The client may have rotated its keys since they were fetched.
            signature = signedBy(keySets.refreshed(client), jwt);
        }
        if (signature == Signature.UNKNOWN_KEY) {
            throw refused("client_assertion: no registered key of the client has the kid "
                    + jwt.getHeader().getKeyID() + " and the alg " + jwt.getHeader().getAlgorithm());
        }
        if (signature == Signature.INVALID) {
            throw refused("client_assertion: the signature does not verify with the client's keys");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException unreadable) {
            throw refused("client_assertion: the claims are not readable");
        }
        long now = clock.millis();
        if (!client.getClientId().equals(claims.getIssuer()) || !client.getClientId().equals(claims.getSubject())) {
            throw refused("client_assertion: iss and sub must both be the client id");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(assertion.audiences()::contains)) {
            throw refused("client_assertion: aud must name this server (its issuer or token endpoint)");
        }
        Date expiry = claims.getExpirationTime();
        if (expiry == null) {
            throw refused("client_assertion: exp is required");
        }
        if (expiry.getTime() <= now - SKEW.toMillis()) {
            throw refused("client_assertion: expired");
        }
        if (expiry.getTime() > now + LONGEST_LEAD.toMillis() + SKEW.toMillis()) {
            throw refused("client_assertion: exp may be at most " + LONGEST_LEAD.toMinutes() + " minutes ahead");
        }
        if (inFuture(claims.getNotBeforeTime(), now) || inFuture(claims.getIssueTime(), now)) {
            throw refused("client_assertion: nbf or iat is in the future");
        }
        String jti = claims.getJWTID();
        if (jti == null || jti.isEmpty() || jti.length() > MAX_JTI_CHARS) {
            throw refused("client_assertion: jti is required (at most " + MAX_JTI_CHARS + " characters)");
        }
        spend(client.getClientId(), jti, Math.max(expiry.getTime(), now) / 1000 + SKEW.toSeconds() + 1, now);
    }

    /**
     * Records the jti as used until the assertion can no longer be accepted. The condition compares with the clock,
     * not with TTL's deletion (which may lag by days): a record past its time no longer blocks the jti.
     */
    private void spend(String clientId, String jti, long keepUntilSecond, long nowMillis) {
        try {
            tables.dynamoDb().putItem(r -> r.tableName(tables.of(TokenSchema.TABLE).tableName())
                    .item(Map.of("token_key", AttributeValue.fromS(key(clientId, jti)),
                            "kind", AttributeValue.fromS("CA"),
                            "ttl", AttributeValue.fromN(Long.toString(keepUntilSecond))))
                    .conditionExpression("attribute_not_exists(token_key) OR #ttl < :now")
                    .expressionAttributeNames(Map.of("#ttl", "ttl"))
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(nowMillis / 1000)))));
        } catch (ConditionalCheckFailedException replayed) {
            throw refused("client_assertion: this assertion (its jti) was used before");
        }
    }

    /** The row key of a spent jti: per client, the jti hashed so that any length and character fits the key. */
    static String key(String clientId, String jti) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jti.getBytes(StandardCharsets.UTF_8));
            return "CA#" + clientId + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private static boolean inFuture(Date time, long now) {
        return time != null && time.getTime() > now + SKEW.toMillis();
    }

    private enum Signature { VALID, INVALID, UNKNOWN_KEY }

    /**
     * Tries the keys that match the header (its kid when given, and the key type its alg needs): valid when one
     * verifies, unknown when none matches.
     */
    private static Signature signedBy(JWKSet keys, SignedJWT jwt) {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        String kid = jwt.getHeader().getKeyID();
        boolean anyMatched = false;
        for (JWK key : keys.getKeys()) {
            if (kid != null && !kid.equals(key.getKeyID())) {
                continue;
            }
            if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
                continue;
            }
            JWSVerifier verifier = verifier(key, alg);
            if (verifier == null) {
                continue;
            }
            anyMatched = true;
            try {
                if (jwt.verify(verifier)) {
                    return Signature.VALID;
                }
            } catch (JOSEException | IllegalStateException unusable) {
                // This key cannot verify this signature: try the next.
            }
        }
        return anyMatched ? Signature.INVALID : Signature.UNKNOWN_KEY;
    }

    private static JWSVerifier verifier(JWK key, JWSAlgorithm alg) {
        try {
            if (key instanceof RSAKey rsa && (JWSAlgorithm.RS256.equals(alg) || JWSAlgorithm.PS256.equals(alg))) {
                return new RSASSAVerifier(rsa);
            }
            if (key instanceof ECKey ec && JWSAlgorithm.ES256.equals(alg)) {
                return new ECDSAVerifier(ec);
            }
        } catch (JOSEException unusable) {
            return null;
        }
        return null;
    }

    private static ApiError refused(String description) {
        return OAuthErrors.invalidClient(description, false);
    }
}
