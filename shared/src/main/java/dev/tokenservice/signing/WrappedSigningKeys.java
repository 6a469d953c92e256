package dev.tokenservice.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.tokenservice.http.Log;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The `wrapped` mode in a container: the key ring is read (one strongly consistent GetItem) at first use and again
 * once it is older than the refresh interval, so rotations and emergency removals reach every container within
 * that interval. The active key's private half is decrypted with one KMS Decrypt the first time it signs and kept
 * in memory only: after that a token costs no KMS call. Nothing is decrypted before the first real signature, so a
 * SnapStart snapshot taken after priming holds no private key ({@link #beforeSnapshot()} makes sure of it).
 *
 * <p>The stack's KMS signing key (the `kms` mode's key, given when configured) makes switching a stack from `kms` to
 * `wrapped` seamless: its public key, fetched once per container, stays published and verifying for as long as it is
 * configured, so tokens it signed before the switch keep verifying until they expire; and while the ring has no
 * active key (before the first rotation, or between an emergency removal and its replacement) it signs, one KMS
 * Sign per token, instead of no token being issued. Once a ring key is active no token costs a KMS call.
 */
public final class WrappedSigningKeys {

    private final KeyRingStore store;
    private final KmsClient kms;
    private final String wrappingKeyId;
    private final Clock clock;
    private final Duration refreshEvery;
    private final JWSAlgorithm primingAlgorithm;
    private final SigningKeys kmsKey;
    private final Map<String, JWSSigner> decrypted = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();
    private volatile Loaded loaded;
    private volatile TokenSigner primingSigner;
    private volatile boolean snapshotting;

    /** A ring as read at an instant, with the key set last handed out (rebuilt only when the active key changes). */
    private record Loaded(KeyRing ring, Instant readAt, SigningKeys.KeySet lastSet, String lastActiveKid) {
    }

    public WrappedSigningKeys(KeyRingStore store, KmsClient kms, String wrappingKeyId, Clock clock,
            Duration refreshEvery, JWSAlgorithm primingAlgorithm) {
        this(store, kms, wrappingKeyId, clock, refreshEvery, primingAlgorithm, null);
    }

    /** With the stack's KMS signing key (its public key already fetched), or null where none is configured. */
    public WrappedSigningKeys(KeyRingStore store, KmsClient kms, String wrappingKeyId, Clock clock,
            Duration refreshEvery, JWSAlgorithm primingAlgorithm, SigningKeys kmsKey) {
        this.store = store;
        this.kms = kms;
        this.wrappingKeyId = wrappingKeyId;
        this.clock = clock;
        this.refreshEvery = refreshEvery;
        this.primingAlgorithm = primingAlgorithm;
        this.kmsKey = kmsKey;
    }

    public SigningKeys signingKeys() {
        return new SigningKeys(this::current, this::primingSigner);
    }

    /**
     * Before a snapshot: no plaintext key may be in it, whichever priming hook runs after this one, and the ring must
     * be read afresh after the restore. Until {@link #afterRestore()} a signature with a ring key is refused.
     */
    public void beforeSnapshot() {
        snapshotting = true;
        decrypted.clear();
        loaded = null;
    }

    public void afterRestore() {
        snapshotting = false;
    }

    /** How many private keys this container holds decrypted (for tests and the bench). */
    public int decryptedKeyCount() {
        return decrypted.size();
    }

    private SigningKeys.KeySet current() {
        Instant now = clock.instant();
        Loaded state = loaded;
        if (state == null || !now.isBefore(state.readAt().plus(refreshEvery))) {
            state = refresh(now);
        }
        String activeKid = state.ring().activeAt(now).map(WrappedKey::kid).orElse(null);
        if (state.lastSet() != null && java.util.Objects.equals(activeKid, state.lastActiveKid())) {
            return state.lastSet();
        }
        SigningKeys.KeySet set = keySet(state.ring(), now);
        loaded = new Loaded(state.ring(), state.readAt(), set, activeKid);
        return set;
    }

    private Loaded refresh(Instant now) {
        synchronized (refreshLock) {
            Loaded state = loaded;
            if (state != null && now.isBefore(state.readAt().plus(refreshEvery))) {
                return state;
            }
            try {
                KeyRing ring = store.load();
                // A key gone from the ring (retired, or removed in an emergency) leaves memory too.
                decrypted.keySet().retainAll(ring.keys().stream().map(WrappedKey::kid).toList());
                state = new Loaded(ring, now, null, null);
            } catch (RuntimeException readFailed) {
                if (state == null) {
                    throw readFailed;
                }
                // Keep signing with what is known; the next call tries again.
                Log.warn("key ring refresh failed", "exception", readFailed.getClass().getSimpleName());
                return state;
            }
            loaded = state;
            return state;
        }
    }

    private SigningKeys.KeySet keySet(KeyRing ring, Instant now) {
        List<JWK> published = new ArrayList<>(ring.keys().stream().map(WrappedKey::publicJwk).toList());
        TokenSigner active = ring.activeAt(now).<TokenSigner>map(WrappedSigner::new).orElse(null);
        if (kmsKey != null) {
            published.addAll(kmsKey.publicJwks().getKeys());
            if (active == null) {
                active = kmsKey.active();
            }
        }
        return new SigningKeys.KeySet(active, published);
    }

    private JWSSigner decrypt(WrappedKey key) {
        SdkBytes plaintext = kms.decrypt(r -> r.keyId(wrappingKeyId)
                .ciphertextBlob(SdkBytes.fromByteArray(key.wrappedPrivateKey()))
                .encryptionContext(WrappedKey.encryptionContext(key.kid()))).plaintext();
        byte[] pkcs8 = plaintext.asByteArrayUnsafe();
        try {
            boolean ec = JWSAlgorithm.ES256.equals(key.algorithm());
            PrivateKey privateKey = KeyFactory.getInstance(ec ? "EC" : "RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return ec ? new ECDSASigner((ECPrivateKey) privateKey, Curve.P_256) : new RSASSASigner(privateKey);
        } catch (GeneralSecurityException | JOSEException unreadable) {
            throw new IllegalStateException("the wrapped signing key " + key.kid() + " cannot be read");
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private TokenSigner primingSigner() {
        TokenSigner signer = primingSigner;
        if (signer == null) {
            try {
                JWK throwaway = JWSAlgorithm.ES256.equals(primingAlgorithm)
                        ? new ECKeyGenerator(Curve.P_256).keyID("priming").generate()
                        : new RSAKeyGenerator(2048).keyID("priming").generate();
                JWSSigner jws = throwaway instanceof com.nimbusds.jose.jwk.ECKey ecKey
                        ? new ECDSASigner(ecKey) : new RSASSASigner(throwaway.toRSAKey());
                signer = new PrimingSigner(primingAlgorithm, jws);
                primingSigner = signer;
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot make a priming key", e);
            }
        }
        return signer;
    }

    private record PrimingSigner(JWSAlgorithm algorithm, JWSSigner jwsSigner) implements TokenSigner {
        @Override
        public String keyId() {
            return "priming";
        }
    }

    /** Signs with the key's private half, decrypting it on the first signature in this container. */
    private final class WrappedSigner implements TokenSigner {
        private final WrappedKey key;

        WrappedSigner(WrappedKey key) {
            this.key = key;
        }

        @Override
        public String keyId() {
            return key.kid();
        }

        @Override
        public JWSAlgorithm algorithm() {
            return key.algorithm();
        }

        @Override
        public JWSSigner jwsSigner() {
            if (snapshotting) {
                throw new IllegalStateException("no signing key is decrypted while a snapshot is taken");
            }
            return decrypted.computeIfAbsent(key.kid(), kid -> decrypt(key));
        }
    }
}
