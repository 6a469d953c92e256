package dev.tokenservice.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.JWSHeader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The active signer plus every public key that may still verify a live token: the JWKS document and the
 * verifiers are built once per container, so verifying a token costs no call to KMS.
 */
public final class SigningKeys {

    private final TokenSigner active;
    private final JWKSet published;
    private final Map<String, JWK> byKeyId = new LinkedHashMap<>();

    public SigningKeys(TokenSigner active, List<JWK> publicKeys) {
        this.active = active;
        publicKeys.forEach(key -> byKeyId.put(key.getKeyID(), key));
        if (!byKeyId.containsKey(active.keyId())) {
            throw new IllegalArgumentException("the active key " + active.keyId() + " is not among the published keys");
        }
        this.published = new JWKSet(List.copyOf(byKeyId.values()));
    }

    public TokenSigner active() {
        return active;
    }

    public JWKSet publicJwks() {
        return published;
    }

    public Optional<JWSVerifier> verifierFor(JWSHeader header) {
        JWK key = header.getKeyID() == null ? null : byKeyId.get(header.getKeyID());
        if (key == null || (key.getAlgorithm() != null && !key.getAlgorithm().equals(header.getAlgorithm()))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DefaultJWSVerifierFactory()
                    .createJWSVerifier(header, ((AsymmetricJWK) key).toPublicKey()));
        } catch (JOSEException unusable) {
            return Optional.empty();
        }
    }
}
