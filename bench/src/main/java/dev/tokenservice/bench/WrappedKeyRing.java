package dev.tokenservice.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.tokenservice.config.AwsClients;
import dev.tokenservice.config.Settings;
import dev.tokenservice.signing.KeyRing;
import dev.tokenservice.signing.KeyRingStore;
import dev.tokenservice.signing.WrappedKey;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.KeySpec;

/**
 * Prepares the `wrapped` signing mode for a bench run against moto, which lacks GenerateDataKeyPairWithoutPlaintext:
 * a symmetric key with rotation on, and one active RSA key pair stored in the key ring as that call would leave it
 * (the PKCS#8 private key encrypted under the symmetric key with the key's encryption context, so the service's
 * Decrypt unwraps it). The service's own code path (ring read, Decrypt, local signing) is then what is measured.
 * Prints the wrapping key's ARN. Usage: WrappedKeyRing (tables and endpoints from the environment).
 */
public final class WrappedKeyRing {

    private WrappedKeyRing() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        AwsClients aws = new AwsClients(settings);
        var kms = aws.kms();
        String wrappingKey = kms.createKey(r -> r.keySpec(KeySpec.SYMMETRIC_DEFAULT)).keyMetadata().arn();
        kms.enableKeyRotation(r -> r.keyId(wrappingKey));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String kid = UUID.randomUUID().toString();
        byte[] wrapped = kms.encrypt(r -> r.keyId(wrappingKey)
                .plaintext(SdkBytes.fromByteArray(pair.getPrivate().getEncoded()))
                .encryptionContext(WrappedKey.encryptionContext(kid))).ciphertextBlob().asByteArray();
        RSAKey jwk = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).algorithm(JWSAlgorithm.RS256)
                .keyUse(KeyUse.SIGNATURE).build();
        Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond() - 60);
        new KeyRingStore(aws.dynamoDb(), settings.tokensTable())
                .save(new KeyRing(0, List.of(new WrappedKey(kid, JWSAlgorithm.RS256, jwk, wrapped, now, now))));
        System.out.println(wrappingKey);
    }
}
