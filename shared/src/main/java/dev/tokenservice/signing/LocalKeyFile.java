package dev.tokenservice.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.tokenservice.config.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;

/**
 * A private key kept as a JWK file in the local data folder: the stand-in for KMS when the service runs
 * on a developer's machine. Created on first use (RSA 2048 for RS256, P-256 for ES256), owner-readable only.
 */
public final class LocalKeyFile {

    private LocalKeyFile() {
    }

    public static SigningKeys loadOrCreate(Path file, JWSAlgorithm algorithm) {
        JWK key = Files.exists(file) ? read(file) : create(file, algorithm);
        try {
            JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
            JWSAlgorithm keyAlgorithm = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
            TokenSigner active = new LocalSigner(key.getKeyID(), keyAlgorithm, signer);
            return new SigningKeys(active, List.of(key.toPublicJWK()));
        } catch (JOSEException e) {
            throw new IllegalStateException("the local signing key cannot sign", e);
        }
    }

    private static JWK read(Path file) {
        try {
            return JWK.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the local signing key", e);
        } catch (ParseException e) {
            throw new IllegalStateException("the local signing key file is not a JWK", e);
        }
    }

    private static JWK create(Path file, JWSAlgorithm algorithm) {
        try {
            JWK key = JWSAlgorithm.ES256.equals(algorithm)
                    ? new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(algorithm)
                            .keyIDFromThumbprint(true).generate()
                    : new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                            .keyIDFromThumbprint(true).generate();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, key.toJSONString());
            PrivateFiles.restrictToOwner(file);
            return key;
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a local signing key", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the local signing key", e);
        }
    }

    private record LocalSigner(String keyId, JWSAlgorithm algorithm, JWSSigner jwsSigner) implements TokenSigner {
    }
}
