package dev.tokenservice.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.concurrent.SideBySide;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Issues RFC 9068 JWT access tokens. Every token is stored before it is returned, because verification
 * requires its row; signing (a KMS call) and storing (a DynamoDB call) run side by side, so issuing costs
 * one round trip after the client check, not two.
 */
public final class AccessTokenIssuer {

    public static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    /** RFC 7800 confirmation claim; with DPoP it names the key's thumbprint (RFC 9449 §6.1). */
    public static final String CONFIRMATION = "cnf";
    public static final String KEY_THUMBPRINT = "jkt";
    /**
     * The client whose grant an exchanged token descends from (when another than its own client_id): its revocation
     * records cover the token too. Signed with the token, so verification reads them in its one round trip.
     */
    public static final String GRANT_CLIENT = "grant_client_id";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SigningKeys keys;
    private final TokenRepository tokens;
    private final Clock clock;
    private final TokenSealer sealer;

    /** With a sealer, every token's header.payload is stored envelope-encrypted beside its row. */
    public AccessTokenIssuer(SigningKeys keys, TokenRepository tokens, Clock clock, TokenSealer sealer) {
        this.keys = keys;
        this.tokens = tokens;
        this.clock = clock;
        this.sealer = sealer;
    }

    public IssuedAccessToken issue(AccessTokenRequest request) {
        Unsigned token = prepare(request, keys.active());
        CompletableFuture<Void> signing = SideBySide.run(() -> sign(token.jwt(), token.signer()));
        TokenItem item = token.row();
        if (sealer != null) {
            // header.payload is fixed before signing, so sealing does not wait for KMS.
            TokenSealer.Sealed sealed = sealer.seal(token.jwt().getSigningInput());
            item.setSealedValue(sealed.value());
            item.setSealedKey(sealed.key());
        }
        try {
            tokens.create(item);
        } catch (RuntimeException storeFailed) {
            // The signature, whenever it comes, is thrown away: a token that is not stored is never returned.
            signing.cancel(false);
            if (mayHaveBeenWritten(storeFailed)) {
                // A timeout or a 5xx can hide a write that was applied; no row may outlive the failed request.
                removeUnreturnedRow(item.getTokenKey(), "store failed");
            }
            throw storeFailed;
        }
        try {
            signing.join();
        } catch (CompletionException | java.util.concurrent.CancellationException signFailed) {
            // Nobody holds a signature for the stored row; it must not stay behind as a live token.
            removeUnreturnedRow(item.getTokenKey(), "signing failed");
            throw signFailed.getCause() instanceof RuntimeException r ? r : signFailed;
        }
        return new IssuedAccessToken(token.jwt().serialize(), token.jti(), token.expiresIn(), request.scopeString(),
                request.dpopKey());
    }

    /**
     * Signatures priming makes with a signer that signs in this JVM (the `wrapped` mode's throwaway key, the local key
     * file), so that C2 has compiled the signing path (RSA's BigInteger Montgomery multiplication and squaring, with
     * their intrinsics, and the modular exponentiation around them) before the snapshot, and the first tokens after a
     * restore do not sign in the interpreter or C1. Measured with {@code CONVERGE=600 bash bench/priming.sh} (a fresh
     * JVM with the `wrapped` mode's flags, the throwaway key generated first as priming does, load average 16 on 2
     * cores): signatures 1-10 took 17 ms of CPU each, Montgomery squaring and multiplication reached C2 before the
     * 17th, BigInteger.oddModPow before the 56th, and from there a signature took 1.9-2.3 ms, as at the 600th. Four
     * times that point leaves room for a function with less than one vCPU, whose compiler threads lag further behind.
     * A KMS signer is never looped: its signatures are calls, not code to compile, and the `kms` mode runs C1 only.
     */
    public static final int PRIMING_SIGNATURES = 200;

    /**
     * SnapStart priming: builds, signs and serialises a token and maps its row exactly as {@link #issue} does, but
     * stores nothing, then signs {@link #PRIMING_SIGNATURES} times in all. The token expires the second it is made and
     * has no row, so no verification can accept it. It is signed by the priming signer, so that in `wrapped` mode no
     * private key is decrypted into the snapshot.
     */
    public void primeWithoutStoring(String issuer) {
        primeWithoutStoring(issuer, PRIMING_SIGNATURES);
    }

    /** As {@link #primeWithoutStoring(String)} with another number of signatures (bench/priming.sh compares them). */
    public void primeWithoutStoring(String issuer, int signatures) {
        TokenSigner primingSigner = keys.primingSigner();
        Unsigned token = prepare(new AccessTokenRequest(issuer, "priming", "priming", List.of(), List.of("priming"),
                Duration.ZERO), primingSigner);
        SideBySide.run(() -> sign(token.jwt(), token.signer())).join();
        if (signsInThisJvm(primingSigner)) {
            for (int i = 1; i < signatures; i++) {
                Unsigned again = prepare(new AccessTokenRequest(issuer, "priming", "priming", List.of(),
                        List.of("priming"), Duration.ZERO), primingSigner);
                sign(again.jwt(), primingSigner);
                again.jwt().serialize();
            }
        }
        token.jwt().serialize();
        TokenItem item = token.row();
        item.setExpiryShard(ExpiryShards.of(item.getExpiresAt(), item.getTokenKey()));
        TokenSchema.SCHEMA.itemToMap(item, true);
        keys.verifierFor(token.jwt().getHeader()).ifPresent(verifier -> {
            try {
                token.jwt().verify(verifier);
            } catch (JOSEException ignored) {
                // Verification code is loaded either way; the answer does not matter.
            }
        });
    }

    /** Nimbus's own RSA and EC signers compute in this JVM; any other (KMS) calls out. */
    private static boolean signsInThisJvm(TokenSigner signer) {
        return signer.jwsSigner() instanceof RSASSASigner || signer.jwsSigner() instanceof ECDSASigner;
    }

    /** A token ready to be signed, with the signer to use and its row (not yet sealed or stored). */
    private record Unsigned(SignedJWT jwt, TokenSigner signer, String jti, long expiresIn, TokenItem row) {
    }

    private Unsigned prepare(AccessTokenRequest request, TokenSigner signer) {
        Instant now = clock.instant();
        Instant issuedAt = Instant.ofEpochSecond(now.getEpochSecond());
        Instant expiresAt = request.fixedExpiry() != null
                ? Instant.ofEpochSecond(request.fixedExpiry().getEpochSecond()) : issuedAt.plus(request.ttl());
        String jti = newJti();
        JWSHeader header = new JWSHeader.Builder(signer.algorithm()).type(AT_JWT).keyID(signer.keyId()).build();
        JWTClaimsSet.Builder claimsBuilder = new JWTClaimsSet.Builder();
        request.extraClaims().forEach(claimsBuilder::claim);
        if (request.session() != null) {
            claimsBuilder.claim("sid", request.session());
        }
        if (request.org() != null) {
            claimsBuilder.claim("org", request.org());
        }
        if (request.dpopKey() != null) {
            claimsBuilder.claim(CONFIRMATION, java.util.Map.of(KEY_THUMBPRINT, request.dpopKey()));
        }
        if (request.grantClientId() != null) {
            claimsBuilder.claim(GRANT_CLIENT, request.grantClientId());
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

        TokenItem item = new TokenItem();
        item.setTokenKey(TokenKeys.accessToken(jti));
        item.setKind(TokenKeys.ACCESS_TOKEN);
        item.setClientId(request.clientId());
        item.setSubject(request.subject());
        item.setScope(request.scopeString());
        item.setAudience(request.audience());
        item.setIssuedAt(now.toEpochMilli());
        item.setGrantIssuedAt(request.grantIssuedAt());
        item.setExpiresAt(expiresAt.getEpochSecond());
        item.setTtl(expiresAt.getEpochSecond());
        item.setSession(request.session());
        item.setGrantClientId(request.grantClientId());
        item.setOrg(request.org());
        item.setDetails(request.details());
        item.setUserClaims(request.userClaims());
        return new Unsigned(new SignedJWT(header, claims), signer, jti,
                expiresAt.getEpochSecond() - issuedAt.getEpochSecond(), item);
    }

    /** Signs with the signer, keeping a KMS throttle or outage as its SDK type (429/503 rather than 500). */
    public static void sign(SignedJWT jwt, TokenSigner signer) {
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

    /**
     * Deletes the row of a token that is not being returned (the SDK retries the delete itself). Should
     * DynamoDB refuse that too, the row is left with no signature anyone holds; the log names its key so it
     * can be removed, and it expires with its TTL.
     */
    private void removeUnreturnedRow(String tokenKey, String why) {
        try {
            tokens.delete(tokenKey);
        } catch (RuntimeException deleteFailed) {
            dev.tokenservice.http.Log.error("row of an unreturned token left behind", "token_key", tokenKey,
                    "reason", why, "exception", deleteFailed.getClass().getSimpleName());
        }
    }

    /** False only when DynamoDB certainly did not apply the write: throttled, or a condition refused it. */
    private static boolean mayHaveBeenWritten(RuntimeException failure) {
        if (failure instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service) {
            return service.statusCode() >= 500;
        }
        return failure instanceof SdkException;
    }

    private static String newJti() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
