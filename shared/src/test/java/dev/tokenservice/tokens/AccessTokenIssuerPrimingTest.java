package dev.tokenservice.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Priming signs often enough with a key signing in this JVM for C2 to compile the signing path before the snapshot
 * (how often was measured: AccessTokenIssuer.PRIMING_SIGNATURES), and once only with a signer that calls out.
 * Priming stores nothing (the issuer here has no repository at all).
 */
class AccessTokenIssuerPrimingTest {

    @Test
    void aKeySigningInThisJvmSignsAsOftenAsItTakesC2ToCompileTheSigningPath() throws Exception {
        // GIVEN a throwaway RSA key signing in this JVM, counting its signatures
        RSAKey throwaway = new RSAKeyGenerator(2048).keyID("priming").generate();
        AtomicInteger signatures = new AtomicInteger();
        JWSSigner counting = new RSASSASigner(throwaway) {
            @Override
            public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
                signatures.incrementAndGet();
                return super.sign(header, signingInput);
            }
        };

        // WHEN the token function primes
        issuer(signer(counting), throwaway).primeWithoutStoring("https://priming.invalid");

        // THEN it signed the measured number of times
        assertEquals(AccessTokenIssuer.PRIMING_SIGNATURES, signatures.get());
    }

    @Test
    void aSignerThatCallsOutSignsOnce() throws Exception {
        // GIVEN a signer that is not Nimbus's in-JVM RSA or EC signer (as KMS's: one Sign call per signature)
        RSAKey key = new RSAKeyGenerator(2048).keyID("priming").generate();
        RSASSASigner local = new RSASSASigner(key);
        AtomicInteger calls = new AtomicInteger();
        JWSSigner callingOut = new JWSSigner() {
            @Override
            public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
                calls.incrementAndGet();
                return local.sign(header, signingInput);
            }

            @Override
            public Set<JWSAlgorithm> supportedJWSAlgorithms() {
                return Set.of(JWSAlgorithm.RS256);
            }

            @Override
            public JCAContext getJCAContext() {
                return new JCAContext();
            }
        };

        // WHEN the token function primes
        issuer(signer(callingOut), key).primeWithoutStoring("https://priming.invalid");

        // THEN it made one call, as before
        assertEquals(1, calls.get());
    }

    private static AccessTokenIssuer issuer(TokenSigner signer, RSAKey key) {
        return new AccessTokenIssuer(new SigningKeys(signer, List.of(key.toPublicJWK())), null, Clock.systemUTC(), null);
    }

    private static TokenSigner signer(JWSSigner jws) {
        return new TokenSigner() {
            @Override
            public String keyId() {
                return "priming";
            }

            @Override
            public JWSAlgorithm algorithm() {
                return JWSAlgorithm.RS256;
            }

            @Override
            public JWSSigner jwsSigner() {
                return jws;
            }
        };
    }
}
