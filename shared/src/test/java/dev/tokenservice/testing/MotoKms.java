package dev.tokenservice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A real KMS-protocol server on loopback: moto, from PyPI. CI starts it and passes MOTO_ENDPOINT; without
 * that, the first test that needs it starts `python3 -m moto.server` on a free port itself.
 */
public final class MotoKms {

    private static String endpoint;

    private MotoKms() {
    }

    public static synchronized String endpoint() {
        if (endpoint == null) {
            String given = System.getenv("MOTO_ENDPOINT");
            endpoint = given != null && !given.isBlank() ? given : startMoto();
        }
        return endpoint;
    }

    public static KmsClient client() {
        return client(new software.amazon.awssdk.core.interceptor.ExecutionInterceptor[0]);
    }

    /** A client of moto whose calls pass through the given interceptors (e.g. {@link Faults}). */
    public static KmsClient client(software.amazon.awssdk.core.interceptor.ExecutionInterceptor... interceptors) {
        return KmsClient.builder()
                .overrideConfiguration(c -> java.util.Arrays.stream(interceptors).forEach(c::addExecutionInterceptor))
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static String startMoto() {
        int port = FreePort.find();
        String url = "http://127.0.0.1:" + port;
        Process moto;
        try {
            moto = new ProcessBuilder(List.of("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("KMS tests need moto: pip install 'moto[server]'", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(moto::destroy));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!moto.isAlive()) {
                throw new IllegalStateException("moto exited at start; KMS tests need: pip install 'moto[server]'");
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(url + "/moto-api/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return url;
            } catch (IOException notYet) {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto", e);
            }
        }
        moto.destroy();
        throw new IllegalStateException("moto did not answer on " + url + " within 30 s");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new symmetric key with rotation on, as the stack's key-wrapping key is created: its ARN. */
    public static String newWrappingKey() {
        KmsClient moto = client();
        String arn = moto.createKey(r -> r.keySpec(software.amazon.awssdk.services.kms.model.KeySpec.SYMMETRIC_DEFAULT))
                .keyMetadata().arn();
        moto.enableKeyRotation(r -> r.keyId(arn));
        return arn;
    }
}
