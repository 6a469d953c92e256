package dev.tokenservice.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The active signer plus every public key that may still verify a live token. In `kms` mode and for the local
 * key file the set is fixed for the container's life; in `wrapped` mode it comes from the key ring and changes as
 * keys rotate ({@link WrappedSigningKeys}), so callers ask for the active signer each time they sign. Verifying a
 * token never costs a call to KMS.
 */
public final class SigningKeys {

    /** How long relying parties may cache the JWKS (its Cache-Control); a new key is published longer ahead. */
    public static final java.time.Duration JWKS_MAX_AGE = java.time.Duration.ofMinutes(5);

    private final Supplier<KeySet> current;
    private final Supplier<TokenSigner> priming;

    public SigningKeys(TokenSigner active, List<JWK> publicKeys) {
        KeySet fixed = new KeySet(active, publicKeys);
        this.current = () -> fixed;
        this.priming = () -> active;
    }

    /** Keys that may change between calls; the priming signer is used instead of the active one before a snapshot. */
    SigningKeys(Supplier<KeySet> current, Supplier<TokenSigner> priming) {
        this.current = current;
        this.priming = priming;
    }

    /** The key that signs new tokens now; {@link NoSigningKeyException} while there is none (a fresh deployment). */
    public TokenSigner active() {
        TokenSigner active = current.get().active();
        if (active == null) {
            throw new NoSigningKeyException();
        }
        return active;
    }

    /**
     * A signer for SnapStart priming: the active key where signing holds no secret in memory (KMS, the local file);
     * in `wrapped` mode a throwaway key of the same algorithm, so that no plaintext private key is in the snapshot.
     */
    public TokenSigner primingSigner() {
        return priming.get();
    }

    public JWKSet publicJwks() {
        return current.get().published();
    }

    public Optional<JWSVerifier> verifierFor(JWSHeader header) {
        KeySet keys = current.get();
        JWK key = header.getKeyID() == null ? null : keys.byKeyId().get(header.getKeyID());
        if (key == null || (key.getAlgorithm() != null && !key.getAlgorithm().equals(header.getAlgorithm()))) {
            return Optional.empty();
        }
        // Built once per key and algorithm of this key set, not per token: making one decodes the JWK's public key
        // (2.4-3.3 % of an introspection's handler-thread samples in a JFR profile of the local runner under load).
        // Nimbus's verifiers are thread-safe (a new Signature per verification). Only verifiers that could be made
        // are kept (null is not stored), so a header naming an algorithm the key cannot verify adds nothing: at most
        // the few algorithms of each key's family are remembered.
        return Optional.ofNullable(keys.verifiers().computeIfAbsent(header.getKeyID() + " " + header.getAlgorithm(),
                unused -> newVerifier(header, key)));
    }

    /** Null for a key and algorithm the verifier factory refuses. */
    private static JWSVerifier newVerifier(JWSHeader header, JWK key) {
        try {
            return new DefaultJWSVerifierFactory().createJWSVerifier(header, ((AsymmetricJWK) key).toPublicKey());
        } catch (JOSEException unusable) {
            return null;
        }
    }

    /**
     * One consistent view: the signer (null when none is active), the published public keys by kid, and the
     * verifiers made from them so far (by kid and algorithm).
     */
    record KeySet(TokenSigner active, Map<String, JWK> byKeyId, JWKSet published,
            Map<String, JWSVerifier> verifiers) {

        KeySet(TokenSigner active, List<JWK> publicKeys) {
            this(active, index(publicKeys), new JWKSet(List.copyOf(index(publicKeys).values())),
                    new ConcurrentHashMap<>());
            if (active != null && !byKeyId.containsKey(active.keyId())) {
                throw new IllegalArgumentException("the active key " + active.keyId()
                        + " is not among the published keys");
            }
        }

        private static Map<String, JWK> index(List<JWK> keys) {
            Map<String, JWK> byKeyId = new LinkedHashMap<>();
            keys.forEach(key -> byKeyId.put(key.getKeyID(), key.toPublicJWK()));
            return byKeyId;
        }
    }
}
