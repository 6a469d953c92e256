package dev.tokenservice.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.KeyPairKms;
import dev.tokenservice.testing.MotoKms;
import dev.tokenservice.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * The `wrapped` signing mode against moto (symmetric key, its rotation flag, Decrypt, the encryption context) and
 * DynamoDB Local (the key ring), on a clock the test moves. moto cannot generate data key pairs: {@link KeyPairKms}
 * answers GenerateDataKeyPairWithoutPlaintext as KMS documents it, wrapping through moto's Encrypt.
 */
class WrappedSigningKeysTest {

    private static final Duration PERIOD = Duration.ofDays(30);
    private static final Duration LEAD = Duration.ofDays(1);
    private static final Duration LONGEST_TOKEN = Duration.ofHours(2);
    private static final Duration REFRESH = Duration.ofSeconds(60);

    private static KeyPairKms keyPairKms;
    private static String wrappingKey;

    private final Faults kmsCalls = new Faults();
    private final Faults dynamoDbCalls = new Faults();
    private MutableClock clock;
    private KeyRingStore store;
    private KmsClient kms;

    @BeforeAll
    static void startKms() {
        keyPairKms = KeyPairKms.start();
        wrappingKey = MotoKms.newWrappingKey();
    }

    @AfterAll
    static void stopKms() {
        keyPairKms.close();
    }

    @BeforeEach
    void freshRing() {
        clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
        String table = DynamoDbLocal.shared().freshTables().get("TOKENS_TABLE");
        store = new KeyRingStore(DynamoDbLocal.clientFor(DynamoDbLocal.shared().endpoint(), dynamoDbCalls), table);
        kms = keyPairKms.client(kmsCalls);
    }

    @Test
    void theWrappingKeyIsSymmetricWithAutomaticRotation() {
        // moto: the key the pairs are wrapped under, as the template and the local runner create it
        KmsClient moto = MotoKms.client();
        assertEquals(KeySpec.SYMMETRIC_DEFAULT, moto.describeKey(r -> r.keyId(wrappingKey)).keyMetadata().keySpec());
        assertTrue(moto.getKeyRotationStatus(r -> r.keyId(wrappingKey)).keyRotationEnabled());
    }

    @Test
    void noTokenIsSignedBeforeTheFirstKeyThenEveryTokenIsSignedLocallyAfterOneDecrypt() throws Exception {
        WrappedSigningKeys container = container();
        SigningKeys keys = container.signingKeys();
        // GIVEN a new deployment: the ring is empty, so signing answers 503, never a token
        NoSigningKeyException none = assertThrows(NoSigningKeyException.class, keys::active);
        assertEquals(503, none.status());

        // WHEN the rotation runs once and a container signs 100 tokens
        KeyRotation.Outcome first = rotation().rotate();
        clock.advance(REFRESH);
        int getItemsBefore = dynamoDbCalls.calls("GetItem");
        for (int i = 0; i < 100; i++) {
            SignedJWT token = sign(keys);
            // THEN each verifies against the published JWK, by this service and by anyone holding the JWKS
            assertEquals(first.activeKid(), token.getHeader().getKeyID());
            assertTrue(token.verify(keys.verifierFor(token.getHeader()).orElseThrow()));
            assertTrue(SignedJWT.parse(token.serialize()).verify(new RSASSAVerifier(
                    keys.publicJwks().getKeyByKeyId(first.activeKid()).toRSAKey())));
        }
        // AND KMS was asked once to generate the pair and once to decrypt it: no KMS call per token
        assertEquals(1, kmsCalls.calls("GenerateDataKeyPairWithoutPlaintext"));
        assertEquals(1, kmsCalls.calls("Decrypt"));
        assertEquals(0, kmsCalls.calls("Sign"));
        // AND the ring was read once for all of them (refreshed once per interval, not per token)
        assertEquals(1, dynamoDbCalls.calls("GetItem") - getItemsBefore);
        // AND the JWKS holds no private part
        JWKSet published = JWKSet.parse(keys.publicJwks().toString(false));
        assertFalse(published.getKeyByKeyId(first.activeKid()).isPrivate());
    }

    @Test
    void ecKeyPairsSignEs256() throws Exception {
        KeyRotation rotation = new KeyRotation(store, kms, wrappingKey, clock,
                new KeyRotation.Policy(PERIOD, LEAD, LONGEST_TOKEN, "ECC_NIST_P256"));
        String kid = rotation.rotate().activeKid();
        SigningKeys keys = new WrappedSigningKeys(store, kms, wrappingKey, clock, REFRESH, JWSAlgorithm.ES256)
                .signingKeys();

        SignedJWT token = sign(keys);

        assertEquals(JWSAlgorithm.ES256, token.getHeader().getAlgorithm());
        assertTrue(SignedJWT.parse(token.serialize())
                .verify(new ECDSAVerifier(keys.publicJwks().getKeyByKeyId(kid).toECKey())));
    }

    @Test
    void primingSignsWithAThrowawayKeyAndNoPrivateKeyIsLeftForTheSnapshot() throws Exception {
        WrappedSigningKeys container = container();
        String kid = rotation().rotate().activeKid();
        SigningKeys keys = container.signingKeys();

        // WHEN priming signs, as a handler does before the SnapStart snapshot
        TokenSigner priming = keys.primingSigner();
        SignedJWT primed = new SignedJWT(new JWSHeader.Builder(priming.algorithm()).keyID(priming.keyId()).build(),
                new JWTClaimsSet.Builder().subject("priming").build());
        primed.sign(priming.jwsSigner());

        // THEN nothing was decrypted, and the throwaway key is not one a token of this service could carry
        assertEquals(0, kmsCalls.calls("Decrypt"));
        assertEquals(0, container.decryptedKeyCount());
        assertNotEquals(kid, priming.keyId());
        assertTrue(keys.verifierFor(primed.getHeader()).isEmpty());

        // AND a key decrypted before the snapshot hook is dropped by it, nothing is decrypted until the restore
        // (whatever priming runs after the hook), and the first signature after the restore decrypts again
        sign(keys);
        assertEquals(1, container.decryptedKeyCount());
        container.beforeSnapshot();
        assertEquals(0, container.decryptedKeyCount());
        assertThrows(IllegalStateException.class, () -> sign(keys));
        assertEquals(0, container.decryptedKeyCount());
        assertEquals(1, kmsCalls.calls("Decrypt"));
        container.afterRestore();
        sign(keys);
        assertEquals(2, kmsCalls.calls("Decrypt"));
    }

    @Test
    void theNextKeyIsPublishedADayAheadSignsOnScheduleAndTheOldOneLeavesAfterItsLastTokenExpired() throws Exception {
        KeyRotation rotation = rotation();
        WrappedSigningKeys container = container();
        SigningKeys keys = container.signingKeys();
        Instant start = clock.instant();
        String first = rotation.rotate().activeKid();

        // WHEN the schedule runs just before the next key is due to be published: nothing changes
        clock.advance(PERIOD.minus(LEAD).minusSeconds(60));
        assertTrue(rotation.rotate().created().isEmpty());

        // WHEN it runs once the publish lead has begun: the next key is stored, published, not signing
        clock.advance(Duration.ofSeconds(60));
        KeyRotation.Outcome published = rotation.rotate();
        assertEquals(1, published.created().size());
        String second = published.created().get(0);
        assertEquals(first, published.activeKid());
        clock.advance(REFRESH);
        assertTrue(keys.publicJwks().getKeyByKeyId(second) != null, "the next key is in the JWKS");
        assertEquals(first, sign(keys).getHeader().getKeyID());
        // ... at least the JWKS cache lifetime before it signs anything
        Instant activation = store.load().find(second).orElseThrow().activatesAt();
        assertEquals(start.plus(PERIOD), activation);
        assertTrue(Duration.between(clock.instant(), activation).compareTo(SigningKeys.JWKS_MAX_AGE) > 0);

        // WHEN the last second of the first key comes: it signs a last token that lives the longest lifetime
        clock.advance(Duration.between(clock.instant(), activation).minusSeconds(1));
        SignedJWT last = sign(keys);
        assertEquals(first, last.getHeader().getKeyID());

        // THEN at the activation the second key signs, without the rotation running and without a re-read
        clock.advance(Duration.ofSeconds(1));
        assertEquals(second, sign(keys).getHeader().getKeyID());

        // AND the first key's last token verifies until it expires, through rotation runs and ring re-reads
        clock.advance(LONGEST_TOKEN.plus(KeyRing.CLOCK_SKEW).minusSeconds(60));
        assertTrue(rotation.rotate().removed().isEmpty());
        clock.advance(REFRESH);
        assertTrue(last.verify(keys.verifierFor(last.getHeader()).orElseThrow()));

        // AND once it has expired (plus clock skew) the next run removes the first key from the ring and the JWKS
        KeyRotation.Outcome retired = rotation.rotate();
        assertEquals(java.util.List.of(first), retired.removed());
        clock.advance(REFRESH);
        assertEquals(null, keys.publicJwks().getKeyByKeyId(first));
        assertTrue(keys.verifierFor(last.getHeader()).isEmpty());
        assertEquals(1, container.decryptedKeyCount(), "the first key's private half left memory too");
    }

    @Test
    void anEmergencyRotationStopsTheExposedKeyFromSigningAndVerifyingWithinTheRefreshInterval() throws Exception {
        KeyRotation rotation = rotation();
        SigningKeys keys = container().signingKeys();
        String exposed = rotation.rotate().activeKid();
        SignedJWT signedByExposed = sign(keys);

        // WHEN the operator revokes the active key (no next key was published yet)
        KeyRotation.Outcome outcome = rotation.revoke(exposed);

        // THEN a new key signs from now on, and within one refresh interval every container has switched
        assertEquals(java.util.List.of(exposed), outcome.removed());
        assertNotEquals(exposed, outcome.activeKid());
        clock.advance(REFRESH);
        assertEquals(outcome.activeKid(), sign(keys).getHeader().getKeyID());
        assertEquals(null, keys.publicJwks().getKeyByKeyId(exposed));
        assertTrue(keys.verifierFor(signedByExposed.getHeader()).isEmpty(), "its tokens no longer verify");
    }

    @Test
    void anEmergencyRotationActivatesTheAlreadyPublishedNextKey() throws Exception {
        KeyRotation rotation = rotation();
        SigningKeys keys = container().signingKeys();
        String exposed = rotation.rotate().activeKid();
        clock.advance(PERIOD.minus(LEAD));
        String next = rotation.rotate().created().get(0);

        KeyRotation.Outcome outcome = rotation.revoke(exposed);

        // THEN the key every JWKS cache already has signs at once; no new key was needed
        assertEquals(next, outcome.activeKid());
        assertTrue(outcome.created().isEmpty());
        clock.advance(REFRESH);
        assertEquals(next, sign(keys).getHeader().getKeyID());
    }

    @Test
    void aWrappedKeyDecryptsOnlyUnderTheKidItWasMadeFor() {
        rotation().rotate();
        WrappedKey key = store.load().keys().get(0);

        // moto checks the encryption context: a ciphertext moved to another record's kid does not decrypt
        assertThrows(KmsException.class, () -> MotoKms.client().decrypt(r -> r.keyId(wrappingKey)
                .ciphertextBlob(SdkBytes.fromByteArray(key.wrappedPrivateKey()))
                .encryptionContext(WrappedKey.encryptionContext("another-kid"))));
        assertTrue(MotoKms.client().decrypt(r -> r.keyId(wrappingKey)
                .ciphertextBlob(SdkBytes.fromByteArray(key.wrappedPrivateKey()))
                .encryptionContext(WrappedKey.encryptionContext(key.kid()))).plaintext().asByteArray().length > 1000);
    }

    @Test
    void aRotationThatLostARaceDoesNotOverwriteTheWinner() {
        KeyRing empty = store.load();
        rotation().rotate();

        assertFalse(store.save(empty.with(store.load().keys().get(0))), "a write from a stale read is refused");
        assertEquals(1, store.load().keys().size());
    }

    @Test
    void aPublishLeadShorterThanTheJwksCachingIsRefused() {
        var policy = new KeyRotation.Policy(PERIOD, Duration.ofMinutes(2), LONGEST_TOKEN, "RSA_2048");
        assertThrows(IllegalArgumentException.class,
                () -> policy.requireLeadAtLeast(SigningKeys.JWKS_MAX_AGE.plus(REFRESH)));
    }

    private KeyRotation rotation() {
        return new KeyRotation(store, kms, wrappingKey, clock,
                new KeyRotation.Policy(PERIOD, LEAD, LONGEST_TOKEN, "RSA_2048"));
    }

    private WrappedSigningKeys container() {
        return new WrappedSigningKeys(store, kms, wrappingKey, clock, REFRESH, JWSAlgorithm.RS256);
    }

    private SignedJWT sign(SigningKeys keys) throws Exception {
        TokenSigner signer = keys.active();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(signer.algorithm()).type(new JOSEObjectType("at+jwt")).keyID(signer.keyId()).build(),
                new JWTClaimsSet.Builder().subject("client-1")
                        .expirationTime(Date.from(clock.instant().plus(LONGEST_TOKEN))).build());
        jwt.sign(signer.jwsSigner());
        return jwt;
    }
}
