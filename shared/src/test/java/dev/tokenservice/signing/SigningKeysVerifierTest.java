package dev.tokenservice.signing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier a key set makes once per key and algorithm, and the headers it makes none for. */
class SigningKeysVerifierTest {

    @TempDir
    Path folder;

    @Test
    void tokensOfOneKeyAreVerifiedByOneVerifierMadeOnce() throws JOSEException {
        SigningKeys keys = LocalKeyFile.loadOrCreate(folder.resolve("key.json"), JWSAlgorithm.RS256);
        SignedJWT first = signed(keys, "first");
        SignedJWT second = signed(keys, "second");

        var verifier = keys.verifierFor(first.getHeader()).orElseThrow();

        assertTrue(first.verify(verifier));
        assertTrue(second.verify(keys.verifierFor(second.getHeader()).orElseThrow()));
        assertSame(verifier, keys.verifierFor(second.getHeader()).orElseThrow(), "made once, not per token");
    }

    @Test
    void aHeaderNamingTheKeyWithAnAlgorithmItCannotVerifyGetsNoVerifierHoweverOftenAsked() {
        SigningKeys keys = LocalKeyFile.loadOrCreate(folder.resolve("key.json"), JWSAlgorithm.RS256);
        String kid = keys.active().keyId();

        for (JWSAlgorithm algorithm : new JWSAlgorithm[] {JWSAlgorithm.HS256, JWSAlgorithm.ES256, JWSAlgorithm.RS384,
                new JWSAlgorithm("made-up")}) {
            JWSHeader header = new JWSHeader.Builder(algorithm).keyID(kid).build();
            assertFalse(keys.verifierFor(header).isPresent(), algorithm.getName());
            assertFalse(keys.verifierFor(header).isPresent(), algorithm.getName() + ", asked again");
        }
        assertFalse(keys.verifierFor(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("another").build()).isPresent());
    }

    private static SignedJWT signed(SigningKeys keys, String subject) throws JOSEException {
        TokenSigner signer = keys.active();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signer.algorithm()).keyID(signer.keyId()).build(),
                new JWTClaimsSet.Builder().subject(subject).build());
        jwt.sign(signer.jwsSigner());
        return jwt;
    }
}
