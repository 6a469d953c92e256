package dev.tokenservice.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A KMS-protocol server on loopback that answers GetPublicKey and Sign for one asymmetric key exactly as
 * AWS documents Sign's MessageType: RAW messages (at most 4096 bytes) are hashed with the algorithm's hash and
 * signed; a DIGEST must be the hash's length (32 bytes for the _SHA_256 algorithms) and is signed as it is,
 * not hashed again (RSASSA-PKCS1-v1_5 wraps it in its DigestInfo; ECDSA signs it as the hash value). moto
 * hashes a DIGEST a second time, so this is where the digest path is checked. It keeps every Sign it got.
 */
final class DocumentedKmsSigner implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SHA256_DIGEST_INFO_PREFIX = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86,
            0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

    record SignRequest(String messageType, byte[] message) {
    }

    private final HttpServer server;
    private final KeyPair keys;
    private final boolean rsa;
    private final String keyArn = "arn:aws:kms:us-east-1:000000000000:key/" + UUID.randomUUID();
    private final List<SignRequest> signRequests = new CopyOnWriteArrayList<>();

    DocumentedKmsSigner(boolean rsa) throws Exception {
        this.rsa = rsa;
        KeyPairGenerator generator = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
        if (rsa) {
            generator.initialize(2048);
        } else {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        this.keys = generator.generateKeyPair();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String keyArn() {
        return keyArn;
    }

    List<SignRequest> signRequests() {
        return List.copyOf(signRequests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        ObjectNode response = JSON.createObjectNode().put("KeyId", keyArn);
        String algorithm = rsa ? "RSASSA_PKCS1_V1_5_SHA_256" : "ECDSA_SHA_256";
        try {
            if ("TrentService.GetPublicKey".equals(target)) {
                response.put("PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()))
                        .put("KeyUsage", "SIGN_VERIFY").put("KeySpec", rsa ? "RSA_2048" : "ECC_NIST_P256")
                        .putArray("SigningAlgorithms").add(algorithm);
            } else if ("TrentService.Sign".equals(target)) {
                String messageType = request.path("MessageType").asText("RAW");
                byte[] message = Base64.getDecoder().decode(request.path("Message").asText());
                signRequests.add(new SignRequest(messageType, message));
                if (!algorithm.equals(request.path("SigningAlgorithm").asText())) {
                    throw new IllegalArgumentException("this key does not sign with " + request.path("SigningAlgorithm"));
                }
                response.put("Signature", Base64.getEncoder().encodeToString(sign(messageType, message)))
                        .put("SigningAlgorithm", algorithm);
            } else {
                throw new IllegalArgumentException("not served here: " + target);
            }
        } catch (IllegalArgumentException | java.security.GeneralSecurityException refused) {
            reply(exchange, 400, JSON.createObjectNode().put("__type", "ValidationException")
                    .put("message", refused.getMessage()));
            return;
        }
        reply(exchange, 200, response);
    }

    private byte[] sign(String messageType, byte[] message) throws java.security.GeneralSecurityException {
        byte[] digest;
        if ("RAW".equals(messageType)) {
            if (message.length > 4096) {
                throw new IllegalArgumentException("a RAW message is at most 4096 bytes, this one is " + message.length);
            }
            digest = MessageDigest.getInstance("SHA-256").digest(message);
        } else if ("DIGEST".equals(messageType)) {
            if (message.length != 32) {
                throw new IllegalArgumentException("Digest is invalid length for algorithm: " + message.length);
            }
            digest = message;
        } else {
            throw new IllegalArgumentException("unknown MessageType " + messageType);
        }
        if (rsa) {
            byte[] digestInfo = new byte[SHA256_DIGEST_INFO_PREFIX.length + digest.length];
            System.arraycopy(SHA256_DIGEST_INFO_PREFIX, 0, digestInfo, 0, SHA256_DIGEST_INFO_PREFIX.length);
            System.arraycopy(digest, 0, digestInfo, SHA256_DIGEST_INFO_PREFIX.length, digest.length);
            Signature signer = Signature.getInstance("NONEwithRSA");
            signer.initSign(keys.getPrivate());
            signer.update(digestInfo);
            return signer.sign();
        }
        Signature signer = Signature.getInstance("NONEwithECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(digest);
        return signer.sign();
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
