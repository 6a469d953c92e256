package dev.tokenservice.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Issues RFC 9068 JWT access tokens. Every token is stored before it is returned, because verification
 * requires its row; signing (a KMS call) and storing (a DynamoDB call) run side by side, so issuing costs
 * one round trip after the client check, not two.
 */
public final class AccessTokenIssuer {

    public static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    private static final int EXPIRY_SHARDS = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKeys keys;
    private final TokenRepository tokens;
    private final Clock clock;
    private final ExecutorService signingThreads;
    private final TokenSealer sealer;

    public AccessTokenIssuer(SigningKeys keys, TokenRepository tokens, Clock clock) {
        this(keys, tokens, clock, null);
    }

    /** With a sealer, every token's header.payload is stored envelope-encrypted beside its row. */
    public AccessTokenIssuer(SigningKeys keys, TokenRepository tokens, Clock clock, TokenSealer sealer) {
        this.keys = keys;
        this.tokens = tokens;
        this.clock = clock;
        this.sealer = sealer;
        this.signingThreads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "token-signing");
            thread.setDaemon(true);
            return thread;
        });
    }

    public IssuedAccessToken issue(AccessTokenRequest request) {
        Instant now = clock.instant();
        Instant issuedAt = Instant.ofEpochSecond(now.getEpochSecond());
        Instant expiresAt = request.fixedExpiry() != null
                ? Instant.ofEpochSecond(request.fixedExpiry().getEpochSecond()) : issuedAt.plus(request.ttl());
        String jti = newJti();
        TokenSigner signer = keys.active();
        JWSHeader header = new JWSHeader.Builder(signer.algorithm()).type(AT_JWT).keyID(signer.keyId()).build();
        JWTClaimsSet.Builder claimsBuilder = new JWTClaimsSet.Builder();
        request.extraClaims().forEach(claimsBuilder::claim);
        if (request.session() != null) {
            claimsBuilder.claim("sid", request.session());
        }
        if (request.org() != null) {
            claimsBuilder.claim("org", request.org());
        }
        JWTClaimsSet claims = claimsBuilder
                .issuer(request.issuer())
                .subject(request.subject())
                .audience(request.audience())
                .claim("client_id", request.clientId())
                .claim("scope", request.scopeString())
                .jwtID(jti)
                .issueTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        CompletableFuture<Void> signing = CompletableFuture.runAsync(() -> sign(jwt, signer), signingThreads);

        TokenItem item = new TokenItem();
        item.setTokenKey(TokenKeys.accessToken(jti));
        item.setKind(TokenKeys.ACCESS_TOKEN);
        item.setClientId(request.clientId());
        item.setSubject(request.subject());
        item.setScope(request.scopeString());
        item.setAudience(request.audience());
        item.setIssuedAt(now.toEpochMilli());
        item.setExpiresAt(expiresAt.getEpochSecond());
        item.setTtl(expiresAt.getEpochSecond());
        item.setExpiryShard(expiryShard(expiresAt, jti));
        item.setSession(request.session());
        item.setOrg(request.org());
        item.setDetails(request.details());
        if (sealer != null) {
            // header.payload is fixed before signing, so sealing does not wait for KMS.
            TokenSealer.Sealed sealed = sealer.seal(jwt.getSigningInput());
            item.setSealedValue(sealed.value());
            item.setSealedKey(sealed.key());
        }
        try {
            tokens.create(item);
        } catch (RuntimeException storeFailed) {
            signing.cancel(false);
            throw storeFailed;
        }
        try {
            signing.join();
        } catch (CompletionException signFailed) {
            // The row alone is no token (nobody holds a signature for it); remove it so listings stay true.
            deleteQuietly(item.getTokenKey());
            throw signFailed.getCause() instanceof RuntimeException r ? r : signFailed;
        }
        long expiresIn = expiresAt.getEpochSecond() - issuedAt.getEpochSecond();
        return new IssuedAccessToken(jwt.serialize(), jti, expiresIn, request.scopeString());
    }

    /**
     * SnapStart priming: builds, signs and serialises a token and maps its row exactly as {@link #issue} does, but
     * stores nothing. The token expires the second it is made and has no row, so no verification can accept it.
     */
    public void primeWithoutStoring(String issuer) {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        TokenSigner signer = keys.active();
        JWSHeader header = new JWSHeader.Builder(signer.algorithm()).type(AT_JWT).keyID(signer.keyId()).build();
        String jti = newJti();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer).subject("priming").audience("priming")
                .claim("client_id", "priming").claim("scope", "")
                .jwtID(jti).issueTime(Date.from(now)).expirationTime(Date.from(now))
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        CompletableFuture.runAsync(() -> sign(jwt, signer), signingThreads).join();
        jwt.serialize();
        TokenItem item = new TokenItem();
        item.setTokenKey(TokenKeys.accessToken(jti));
        item.setKind(TokenKeys.ACCESS_TOKEN);
        item.setClientId("priming");
        item.setSubject("priming");
        item.setIssuedAt(now.toEpochMilli());
        item.setExpiresAt(now.getEpochSecond());
        item.setTtl(now.getEpochSecond());
        item.setExpiryShard(expiryShard(now, jti));
        dev.tokenservice.storage.Schemas.TOKEN.itemToMap(item, true);
        keys.verifierFor(header).ifPresent(verifier -> {
            try {
                jwt.verify(verifier);
            } catch (JOSEException ignored) {
                // Verification code is loaded either way; the answer does not matter.
            }
        });
    }

    private static void sign(SignedJWT jwt, TokenSigner signer) {
        try {
            jwt.sign(signer.jwsSigner());
        } catch (JOSEException e) {
            // A KMS throttle or outage keeps its type, so the endpoint answers 429/503 rather than 500.
            if (e.getCause() instanceof SdkException sdkFailure) {
                throw sdkFailure;
            }
            throw new IllegalStateException("token signing failed", e);
        }
    }

    private void deleteQuietly(String tokenKey) {
        try {
            tokens.delete(tokenKey);
        } catch (RuntimeException ignored) {
            // The row expires with its TTL; the caller already gets the signing failure.
        }
    }

    static String expiryShard(Instant expiresAt, String jti) {
        return expiresAt.atZone(ZoneOffset.UTC).toLocalDate() + "#" + Math.floorMod(jti.hashCode(), EXPIRY_SHARDS);
    }

    private static String newJti() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
