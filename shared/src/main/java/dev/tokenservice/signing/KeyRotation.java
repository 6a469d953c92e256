package dev.tokenservice.signing;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.tokenservice.http.Log;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeyPairSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyPairWithoutPlaintextResponse;

/**
 * The scheduled rotation of the `wrapped` mode's keys, and the emergency removal of one. A new key pair is made by
 * KMS (GenerateDataKeyPairWithoutPlaintext: this function never sees a private key) and stored published but not
 * yet active, at least {@link Policy#publishLead()} before it signs, so every JWKS cache has it first. A key leaves
 * the ring once the last token it can have signed has expired. Run it as often as you like: it changes the ring only
 * when something is due.
 */
public final class KeyRotation {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyRingStore store;
    private final KmsClient kms;
    private final String wrappingKeyId;
    private final Clock clock;
    private final Policy policy;

    /**
     * @param period              how long a key signs before the next one takes over
     * @param publishLead         how long a new key is published before it signs
     * @param longestTokenLifetime how long a token signed by a key can live (the key stays published that long)
     * @param keyPairSpec         RSA_2048 (RS256) or ECC_NIST_P256 (ES256)
     */
    public record Policy(Duration period, Duration publishLead, Duration longestTokenLifetime, String keyPairSpec) {
        public Policy {
            if (publishLead.compareTo(period) >= 0) {
                throw new IllegalArgumentException("the publish lead must be shorter than the rotation period");
            }
            if (!List.of("RSA_2048", "ECC_NIST_P256").contains(keyPairSpec)) {
                throw new IllegalArgumentException("signing key spec must be RSA_2048 or ECC_NIST_P256");
            }
        }

        /** A new key is published at least this long before it signs: every cache of the JWKS has expired by then. */
        public void requireLeadAtLeast(Duration jwksCaching) {
            if (publishLead.compareTo(jwksCaching) < 0) {
                throw new IllegalArgumentException("the publish lead " + publishLead
                        + " is shorter than the JWKS caching " + jwksCaching);
            }
        }
    }

    /** What a run changed, for the log and the caller of an emergency rotation. */
    public record Outcome(List<String> created, List<String> removed, String activeKid, List<String> published) {
    }

    public KeyRotation(KeyRingStore store, KmsClient kms, String wrappingKeyId, Clock clock, Policy policy) {
        this.store = store;
        this.kms = kms;
        this.wrappingKeyId = wrappingKeyId;
        this.clock = clock;
        this.policy = policy;
    }

    /** The scheduled run: the first key at once, the next one a publish lead ahead, retired ones removed. */
    public Outcome rotate() {
        for (int attempt = 0; ; attempt++) {
            Instant now = clock.instant();
            KeyRing ring = store.load();
            List<String> created = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            KeyRing next = ring;
            var active = ring.activeAt(now);
            var pending = ring.pendingAt(now);
            if (active.isEmpty() && pending.isEmpty()) {
                // A new deployment: no token exists yet, so nothing needs to see the key before it signs.
                WrappedKey first = generate(now, now);
                next = next.with(first);
                created.add(first.kid());
            } else if (active.isPresent() && pending.isEmpty()
                    && !now.isBefore(active.get().activatesAt().plus(policy.period()).minus(policy.publishLead()))) {
                Instant due = active.get().activatesAt().plus(policy.period());
                Instant earliest = now.plus(policy.publishLead());
                WrappedKey successor = generate(now, due.isBefore(earliest) ? earliest : due);
                next = next.with(successor);
                created.add(successor.kid());
            }
            for (WrappedKey key : ring.keys()) {
                var retires = next.retiresAt(key, policy.longestTokenLifetime());
                if (retires.isPresent() && !now.isBefore(retires.get())) {
                    next = next.without(key.kid());
                    removed.add(key.kid());
                }
            }
            if ((created.isEmpty() && removed.isEmpty()) || store.save(next)) {
                Outcome outcome = outcome(next, now, created, removed);
                Log.info("signing keys rotated", "created", created, "removed", removed,
                        "active", outcome.activeKid());
                return outcome;
            }
            if (attempt == 2) {
                throw new IllegalStateException("the key ring kept changing during rotation");
            }
        }
    }

    /**
     * Emergency: the key is believed exposed. It leaves the ring now (out of the JWKS, and every token it signed
     * stops verifying here once containers re-read the ring); if it was signing, the published next key signs from
     * now on, or a new one if none was published yet.
     */
    public Outcome revoke(String kid) {
        for (int attempt = 0; ; attempt++) {
            Instant now = clock.instant();
            KeyRing ring = store.load();
            if (ring.find(kid).isEmpty()) {
                throw new IllegalArgumentException("no signing key " + kid + " in the key ring");
            }
            boolean wasActive = ring.activeAt(now).map(key -> key.kid().equals(kid)).orElse(false);
            KeyRing next = ring.without(kid);
            List<String> created = new ArrayList<>();
            if (wasActive) {
                var pending = next.pendingAt(now);
                if (pending.isPresent()) {
                    next = next.activating(pending.get().kid(), now);
                } else {
                    WrappedKey replacement = generate(now, now);
                    next = next.with(replacement);
                    created.add(replacement.kid());
                }
            }
            if (store.save(next)) {
                Outcome outcome = outcome(next, now, created, List.of(kid));
                Log.warn("signing key revoked", "kid", kid, "active", outcome.activeKid(), "created", created);
                return outcome;
            }
            if (attempt == 2) {
                throw new IllegalStateException("the key ring kept changing during the emergency rotation");
            }
        }
    }

    private Outcome outcome(KeyRing ring, Instant now, List<String> created, List<String> removed) {
        return new Outcome(created, removed, ring.activeAt(now).map(WrappedKey::kid).orElse(null),
                ring.keys().stream().map(WrappedKey::kid).toList());
    }

    private WrappedKey generate(Instant now, Instant activatesAt) {
        String kid = newKid();
        GenerateDataKeyPairWithoutPlaintextResponse pair = kms.generateDataKeyPairWithoutPlaintext(r -> r
                .keyId(wrappingKeyId)
                .keyPairSpec(DataKeyPairSpec.fromValue(policy.keyPairSpec()))
                .encryptionContext(WrappedKey.encryptionContext(kid)));
        boolean ec = "ECC_NIST_P256".equals(policy.keyPairSpec());
        JWSAlgorithm algorithm = ec ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        JWK publicJwk = KmsSigningKeys.toJwk(kid, algorithm, pair.publicKey().asByteArray());
        return new WrappedKey(kid, algorithm, publicJwk, pair.privateKeyCiphertextBlob().asByteArray(),
                Instant.ofEpochSecond(now.getEpochSecond()), Instant.ofEpochSecond(activatesAt.getEpochSecond()));
    }

    private static String newKid() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
