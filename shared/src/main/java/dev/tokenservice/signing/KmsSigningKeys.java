package dev.tokenservice.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * Signing keys held by KMS: the private half never leaves KMS (one Sign call per token), the public halves
 * are fetched once per container with GetPublicKey. The key's spec decides the algorithm: RSA_2048 signs
 * RS256, ECC_NIST_P256 signs ES256 (KMS returns DER, JOSE wants R||S).
 */
public final class KmsSigningKeys {

    /** KMS signs a RAW message of at most 4096 bytes; larger inputs are sent as their SHA-256 digest. */
    private static final int MAX_RAW_MESSAGE = 4096;

    private KmsSigningKeys() {
    }

    public static SigningKeys load(KmsClient kms, String activeKeyId, List<String> verificationOnlyKeyIds) {
        List<JWK> published = new ArrayList<>();
        KmsTokenSigner active = null;
        List<String> all = new ArrayList<>();
        all.add(activeKeyId);
        all.addAll(verificationOnlyKeyIds);
        for (String keyId : all) {
            GetPublicKeyResponse response = kms.getPublicKey(r -> r.keyId(keyId));
            String kid = keyIdOf(response.keyId());
            JWSAlgorithm algorithm = algorithmOf(response);
            published.add(toJwk(kid, algorithm, response.publicKey().asByteArray()));
            if (active == null) {
                active = new KmsTokenSigner(kms, response.keyId(), kid, algorithm);
            }
        }
        return new SigningKeys(active, published);
    }

    /** The JWKS kid is the key's id (the UUID), never an alias, so that it survives alias moves. */
    static String keyIdOf(String arnOrId) {
        int slash = arnOrId.lastIndexOf("key/");
        return slash >= 0 ? arnOrId.substring(slash + 4) : arnOrId;
    }

    /** Decided by what the key can sign, which every KMS answer carries (KeySpec is absent in some). */
    static JWSAlgorithm algorithmOf(GetPublicKeyResponse key) {
        var algorithms = key.signingAlgorithms();
        if (algorithms.contains(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)) {
            return JWSAlgorithm.RS256;
        }
        if (algorithms.contains(SigningAlgorithmSpec.ECDSA_SHA_256)) {
            return JWSAlgorithm.ES256;
        }
        throw new IllegalArgumentException("the KMS key " + key.keyId()
                + " signs neither RS256 nor ES256 (it supports " + algorithms + ")");
    }

    static JWK toJwk(String kid, JWSAlgorithm algorithm, byte[] subjectPublicKeyInfo) {
        try {
            var spec = new X509EncodedKeySpec(subjectPublicKeyInfo);
            if (JWSAlgorithm.ES256.equals(algorithm)) {
                var key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
                return new ECKey.Builder(Curve.P_256, key).keyID(kid).algorithm(algorithm).keyUse(KeyUse.SIGNATURE)
                        .build();
            }
            var key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec);
            return new RSAKey.Builder(key).keyID(kid).algorithm(algorithm).keyUse(KeyUse.SIGNATURE).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("KMS returned a public key that cannot be read", e);
        }
    }

    static final class KmsTokenSigner implements TokenSigner, JWSSigner {

        private final KmsClient kms;
        private final String keyArn;
        private final String kid;
        private final JWSAlgorithm algorithm;
        private final JCAContext jcaContext = new JCAContext();

        KmsTokenSigner(KmsClient kms, String keyArn, String kid, JWSAlgorithm algorithm) {
            this.kms = kms;
            this.keyArn = keyArn;
            this.kid = kid;
            this.algorithm = algorithm;
        }

        @Override
        public String keyId() {
            return kid;
        }

        @Override
        public JWSAlgorithm algorithm() {
            return algorithm;
        }

        @Override
        public JWSSigner jwsSigner() {
            return this;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            if (!algorithm.equals(header.getAlgorithm())) {
                throw new JOSEException("this key signs " + algorithm + ", not " + header.getAlgorithm());
            }
            boolean raw = signingInput.length <= MAX_RAW_MESSAGE;
            byte[] message = raw ? signingInput : sha256(signingInput);
            byte[] signature = kms.sign(r -> r.keyId(keyArn)
                            .message(SdkBytes.fromByteArray(message))
                            .messageType(raw ? MessageType.RAW : MessageType.DIGEST)
                            .signingAlgorithm(JWSAlgorithm.ES256.equals(algorithm)
                                    ? SigningAlgorithmSpec.ECDSA_SHA_256
                                    : SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256))
                    .signature().asByteArray();
            if (JWSAlgorithm.ES256.equals(algorithm)) {
                signature = ECDSA.transcodeSignatureToConcat(signature, 64);
            }
            return Base64URL.encode(signature);
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(algorithm);
        }

        @Override
        public JCAContext getJCAContext() {
            return jcaContext;
        }

        private static byte[] sha256(byte[] input) throws JOSEException {
            try {
                return MessageDigest.getInstance("SHA-256").digest(input);
            } catch (GeneralSecurityException e) {
                throw new JOSEException("SHA-256 is unavailable", e);
            }
        }
    }
}
