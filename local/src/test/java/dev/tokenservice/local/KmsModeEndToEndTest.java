package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.local.LocalServerProcess.AdminCredentials;
import dev.tokenservice.testing.MotoKms;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The runner as docs/local.md's KMS mode describes it: AWS_ENDPOINT_URL_KMS points at a KMS emulator (moto, as in
 * CI), so tokens are signed by a KMS key; the pepper is a Secrets Manager secret (SECRET_PEPPER_ARN, as
 * template.yaml wires it) read from the same emulator. A client asks for a token over HTTP and verifies it
 * with the JWKS alone, and the JWKS key is the KMS key's public half.
 */
class KmsModeEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void tokensAreSignedByTheKmsKeyAndClientSecretsArePepperedFromSecretsManager(@TempDir Path data) throws Exception {
        // GIVEN a pepper secret in the emulator and a runner pointed at it for KMS and Secrets Manager
        String moto = MotoKms.endpoint();
        byte[] pepper = new byte[32];
        new SecureRandom().nextBytes(pepper);
        String pepperArn;
        try (SecretsManagerClient secrets = secretsManager(moto)) {
            pepperArn = secrets.createSecret(r -> r.name("token-service-pepper-" + UUID.randomUUID())
                    .secretString(Base64.getEncoder().encodeToString(pepper))).arn();
        }
        try (LocalServerProcess server = LocalServerProcess.start(data, Map.of(
                "AWS_ENDPOINT_URL_KMS", moto,
                "AWS_ENDPOINT_URL_SECRETSMANAGER", moto,
                "SECRET_PEPPER_ARN", pepperArn))) {
            String signingLine = server.output().stream().filter(line -> line.startsWith("signing:")).findFirst()
                    .orElseThrow(() -> new AssertionError("the runner says how it signs:\n" + server.output()));
            assertTrue(signingLine.contains("KMS key") && signingLine.contains(moto), signingLine);
            AdminCredentials admin = server.bootstrapCredentials().orElseThrow();

            // WHEN the bootstrap admin asks for a token with its secret
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/oauth2/token"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (admin.clientId() + ":" + admin.clientSecret()).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString());

            // THEN the secret checks out under the Secrets Manager pepper (no pepper file was made)...
            assertEquals(200, response.statusCode(), response.body());
            assertFalse(Files.exists(data.resolve("pepper.key")), "the pepper came from Secrets Manager, not a file");
            // ...and the token verifies with the JWKS, whose key is the KMS key's public half
            SignedJWT jwt = SignedJWT.parse(JSON.readTree(response.body()).path("access_token").asText());
            JWKSet jwks = JWKSet.parse(HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/.well-known/jwks.json"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body());
            String kid = jwt.getHeader().getKeyID();
            RSAKey published = (RSAKey) jwks.getKeyByKeyId(kid);
            assertNotNull(published, "the JWKS publishes " + kid);
            assertTrue(jwt.verify(new RSASSAVerifier(published)), "the signature verifies with the published key");
            byte[] kmsPublicKey = MotoKms.client().getPublicKey(r -> r.keyId(kid)).publicKey().asByteArray();
            assertArrayEquals(kmsPublicKey, published.toPublicKey().getEncoded(), "the kid names the KMS key that signed");
        }
    }

    private static SecretsManagerClient secretsManager(String endpoint) {
        return SecretsManagerClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
