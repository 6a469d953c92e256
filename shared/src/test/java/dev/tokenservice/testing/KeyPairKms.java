package dev.tokenservice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * moto 5.2.1 answers every KMS call this service makes except GenerateDataKeyPairWithoutPlaintext (it does not
 * implement the data-key-pair operations). This loopback server speaks the KMS JSON protocol in front of moto: it
 * answers that one operation as KMS documents it (a fresh key pair of the requested spec; the public key as DER
 * SubjectPublicKeyInfo; the private key as PKCS#8 DER encrypted under the given symmetric key with the given
 * encryption context, here by moto's own Encrypt, so that Decrypt on moto with the same context unwraps it), and
 * forwards every other request to moto unchanged. Nothing else is emulated: Decrypt, key creation and the rotation
 * flag are moto's.
 */
public final class KeyPairKms implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final KmsClient moto = MotoKms.client();
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger generated = new AtomicInteger();

    private KeyPairKms() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public static KeyPairKms start() {
        try {
            return new KeyPairKms();
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on loopback", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A KMS client of this server (and so of moto), its calls passing through the given interceptors. */
    public KmsClient client(ExecutionInterceptor... interceptors) {
        return KmsClient.builder()
                .overrideConfiguration(c -> List.of(interceptors).forEach(c::addExecutionInterceptor))
                .endpointOverride(URI.create(endpoint()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testing", "testing")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .build();
    }

    /** How many key pairs this server has generated. */
    public int generatedKeyPairs() {
        return generated.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        try {
            if ("TrentService.GenerateDataKeyPairWithoutPlaintext".equals(target)) {
                reply(exchange, 200, generateDataKeyPairWithoutPlaintext(JSON.readTree(body)));
            } else {
                HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create(MotoKms.endpoint() + "/"))
                        .header("Content-Type", exchange.getRequestHeaders().getFirst("Content-Type"))
                        .header("X-Amz-Target", target)
                        // moto tells the service from the signature's credential scope (".../kms/aws4_request").
                        .header("Authorization", exchange.getRequestHeaders().getFirst("Authorization"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                reply(exchange, answer.statusCode(), answer.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 500, "{}".getBytes());
        } catch (RuntimeException | GeneralSecurityException e) {
            reply(exchange, 400, ("{\"__type\":\"ValidationException\",\"message\":\"" + e.getMessage() + "\"}")
                    .getBytes());
        }
    }

    private byte[] generateDataKeyPairWithoutPlaintext(JsonNode request)
            throws GeneralSecurityException, IOException {
        String spec = request.path("KeyPairSpec").asText();
        KeyPair pair;
        switch (spec) {
            case "RSA_2048" -> {
                KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                rsa.initialize(2048);
                pair = rsa.generateKeyPair();
            }
            case "ECC_NIST_P256" -> {
                KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
                ec.initialize(new ECGenParameterSpec("secp256r1"));
                pair = ec.generateKeyPair();
            }
            default -> throw new IllegalArgumentException("KeyPairSpec " + spec + " is not supported here");
        }
        Map<String, String> context = new HashMap<>();
        request.path("EncryptionContext").fields().forEachRemaining(e -> context.put(e.getKey(), e.getValue().asText()));
        var wrapped = moto.encrypt(r -> r.keyId(request.path("KeyId").asText())
                .plaintext(SdkBytes.fromByteArray(pair.getPrivate().getEncoded()))
                .encryptionContext(context));
        generated.incrementAndGet();
        ObjectNode answer = JSON.createObjectNode()
                .put("KeyId", wrapped.keyId())
                .put("KeyPairSpec", spec)
                .put("PrivateKeyCiphertextBlob", Base64.getEncoder().encodeToString(wrapped.ciphertextBlob().asByteArray()))
                .put("PublicKey", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        return JSON.writeValueAsBytes(answer);
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
