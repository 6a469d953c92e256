package dev.tokenservice.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.testing.MotoKms;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/** The KMS signer against moto: create a key, sign through KMS, publish the public key, verify locally. */
class KmsSigningKeysTest {

    private static KmsClient kms;

    @BeforeAll
    static void startKms() {
        kms = MotoKms.client();
    }

    @Test
    void rsaKeySignsRs256TokensThatVerifyAgainstThePublishedJwk() throws Exception {
        // GIVEN an RSA_2048 SIGN_VERIFY key in KMS
        String keyId = createKey(KeySpec.RSA_2048);

        // WHEN the service loads it and signs a JWT
        SigningKeys keys = KmsSigningKeys.load(kms, keyId, List.of());
        SignedJWT jwt = signed(keys);

        // THEN the token is RS256 with the key id as kid, and the JWKS key verifies it
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(keyId, jwt.getHeader().getKeyID());
        RSAKey published = JWKSet.parse(keys.publicJwks().toString()).getKeyByKeyId(keyId).toRSAKey();
        assertFalse(published.isPrivate());
        SignedJWT received = SignedJWT.parse(jwt.serialize());
        assertTrue(received.verify(new RSASSAVerifier(published)));
        assertTrue(received.verify(keys.verifierFor(received.getHeader()).orElseThrow()));
    }

    @Test
    void eccKeySignsEs256WithJoseSignatureEncoding() throws Exception {
        String keyId = createKey(KeySpec.ECC_NIST_P256);

        SigningKeys keys = KmsSigningKeys.load(kms, keyId, List.of());
        SignedJWT jwt = signed(keys);

        assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
        // JOSE wants R||S (64 bytes), not KMS's DER; a DER signature would fail to verify.
        assertEquals(64, jwt.getSignature().decode().length);
        ECKey published = keys.publicJwks().getKeyByKeyId(keyId).toECKey();
        assertTrue(SignedJWT.parse(jwt.serialize()).verify(new ECDSAVerifier(published)));
    }

    @Test
    void aliasResolvesToTheKeyIdAndRotationPublishesBothKeys() throws Exception {
        // GIVEN an old key still verifying live tokens and a new key behind an alias
        String oldKey = createKey(KeySpec.RSA_2048);
        String newKey = createKey(KeySpec.RSA_2048);
        String alias = "alias/token-signing-" + newKey.substring(0, 8);
        kms.createAlias(r -> r.aliasName(alias).targetKeyId(newKey));
        SignedJWT oldToken = signed(KmsSigningKeys.load(kms, oldKey, List.of()));

        // WHEN the service signs with the alias and also publishes the old key
        SigningKeys keys = KmsSigningKeys.load(kms, alias, List.of(oldKey));
        SignedJWT newToken = signed(keys);

        // THEN new tokens carry the new key's id, and tokens of both keys verify
        assertEquals(newKey, newToken.getHeader().getKeyID());
        assertEquals(2, keys.publicJwks().getKeys().size());
        assertTrue(newToken.verify(keys.verifierFor(newToken.getHeader()).orElseThrow()));
        assertTrue(oldToken.verify(keys.verifierFor(oldToken.getHeader()).orElseThrow()));
    }

    @Test
    void aTokenSignedByAnUnpublishedKeyHasNoVerifier() throws Exception {
        SigningKeys published = KmsSigningKeys.load(kms, createKey(KeySpec.RSA_2048), List.of());
        SignedJWT foreign = signed(KmsSigningKeys.load(kms, createKey(KeySpec.RSA_2048), List.of()));

        assertTrue(published.verifierFor(foreign.getHeader()).isEmpty());
    }

    private static String createKey(KeySpec spec) {
        return kms.createKey(r -> r.keySpec(spec).keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata().keyId();
    }

    private static SignedJWT signed(SigningKeys keys) throws Exception {
        TokenSigner signer = keys.active();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(signer.algorithm()).type(new JOSEObjectType("at+jwt")).keyID(signer.keyId()).build(),
                new JWTClaimsSet.Builder().subject("client-1").claim("scope", "tokens:admin").build());
        jwt.sign(signer.jwsSigner());
        return jwt;
    }
}
