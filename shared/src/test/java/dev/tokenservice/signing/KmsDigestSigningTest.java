package dev.tokenservice.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * KMS signs at most 4096 bytes RAW; a longer signing input goes as its SHA-256 DIGEST. moto hashes a digest
 * again (so a correct digest fails there and a wrong one could pass), so the same requests are answered by
 * {@link DocumentedKmsSigner}, which follows AWS's documented DIGEST semantics: the token must verify with
 * the published key by any standard JOSE verifier, and the request must be the digest of the signing input.
 */
class KmsDigestSigningTest {

    @ParameterizedTest(name = "{0}, {1} bytes of claims")
    @CsvSource({"RSA, 100, RAW", "RSA, 6000, DIGEST", "ECC, 100, RAW", "ECC, 6000, DIGEST"})
    void aTokenOfAnySizeVerifiesWithThePublishedKeyAndLongOnesAreSentAsTheirDigest(String keyType, int claimBytes,
            String expectedMessageType) throws Exception {
        try (DocumentedKmsSigner kmsServer = new DocumentedKmsSigner(keyType.equals("RSA"));
                KmsClient kms = KmsClient.builder().endpointOverride(URI.create(kmsServer.endpoint()))
                        .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                        .build()) {
            // GIVEN the service's KMS signer over a key that signs as AWS documents
            SigningKeys keys = KmsSigningKeys.load(kms, kmsServer.keyArn(), List.of());
            TokenSigner signer = keys.active();
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(signer.algorithm()).type(new JOSEObjectType("at+jwt")).keyID(signer.keyId()).build(),
                    new JWTClaimsSet.Builder().subject("client-1").claim("pad", "x".repeat(claimBytes)).build());
            byte[] signingInput = jwt.getSigningInput();

            // WHEN it signs a token of that size
            jwt.sign(signer.jwsSigner());

            // THEN KMS got the input itself up to 4096 bytes, else its SHA-256 as a DIGEST...
            DocumentedKmsSigner.SignRequest sent = kmsServer.signRequests().get(kmsServer.signRequests().size() - 1);
            assertEquals(expectedMessageType, sent.messageType());
            assertEquals(expectedMessageType.equals("RAW"), signingInput.length <= 4096);
            assertArrayEquals(expectedMessageType.equals("RAW") ? signingInput
                    : MessageDigest.getInstance("SHA-256").digest(signingInput), sent.message());
            // ...and a standard verifier holding only the published key accepts the token
            JWK published = keys.publicJwks().getKeyByKeyId(signer.keyId());
            SignedJWT received = SignedJWT.parse(jwt.serialize());
            assertTrue(received.verify(keyType.equals("RSA") ? new RSASSAVerifier(published.toRSAKey())
                    : new ECDSAVerifier(published.toECKey())), "the published key verifies the token");
        }
    }
}
