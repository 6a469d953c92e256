package dev.tokenservice.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import dev.tokenservice.tokens.AccessTokenIssuer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The CPU of the first RSA-2048 signatures after a simulated SnapStart restore. Usage (bench/priming.sh runs it):
 * <ul>
 * <li>{@code key FILE}: writes an RSA-2048 JWK, the "real" signing key, which a measured JVM only reads (as a
 * `wrapped` container decrypts its key), so its generation warms nothing there;</li>
 * <li>{@code restore FILE PRIMING_SIGNATURES}: a fresh JVM primes as the token function does before the snapshot
 * ({@link AccessTokenIssuer#primeWithoutStoring(String, int)}, a throwaway key generated in priming), then signs ten
 * access tokens with the real key and prints the signing thread's CPU time of each, in one JSON line;</li>
 * <li>{@code converge N}: signs N times with a throwaway key and prints each signature's thread CPU time, one line
 * each ({@code sig <i> <cpu us>}), to be read beside {@code -XX:+PrintCompilation}'s lines.</li>
 * </ul>
 */
public final class SigningAfterRestore {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SigningAfterRestore() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "key" -> Files.writeString(Path.of(args[1]),
                    new RSAKeyGenerator(2048).keyID("real").generate().toJSONString());
            case "restore" -> restore(Path.of(args[1]), Integer.parseInt(args[2]));
            case "converge" -> converge(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("key FILE | restore FILE N | converge N");
        }
    }

    private static void restore(Path keyFile, int primingSignatures) throws Exception {
        long primingStarted = System.nanoTime();
        long primingCpu = THREADS.getCurrentThreadCpuTime();
        RSAKey throwaway = new RSAKeyGenerator(2048).keyID("priming").generate();
        TokenSigner primingSigner = signer("priming", new RSASSASigner(throwaway));
        new AccessTokenIssuer(new SigningKeys(primingSigner, List.of(throwaway.toPublicJWK())), null,
                Clock.systemUTC(), null).primeWithoutStoring("https://priming.invalid", primingSignatures);
        long primingMs = (System.nanoTime() - primingStarted) / 1_000_000;
        long primingCpuMs = (THREADS.getCurrentThreadCpuTime() - primingCpu) / 1_000_000;

        // After the restore: the container reads its real key (here from a file) and signs its first tokens.
        TokenSigner real = signer("real", new RSASSASigner(RSAKey.parse(Files.readString(keyFile))));
        List<String> cpuMs = new ArrayList<>();
        double total = 0;
        for (int i = 0; i < 10; i++) {
            SignedJWT jwt = token();
            long before = THREADS.getCurrentThreadCpuTime();
            AccessTokenIssuer.sign(jwt, real);
            jwt.serialize();
            double ms = (THREADS.getCurrentThreadCpuTime() - before) / 1e6;
            total += ms;
            cpuMs.add(String.format("%.2f", ms));
        }
        System.out.printf("{\"bench\":\"signing-after-restore\",\"priming_signatures\":%d,\"priming_ms\":%d,"
                        + "\"priming_thread_cpu_ms\":%d,\"first_ten_cpu_ms\":[%s],\"first_ten_total_cpu_ms\":%.1f}%n",
                primingSignatures, primingMs, primingCpuMs, String.join(",", cpuMs), total);
    }

    private static void converge(int signatures) throws Exception {
        TokenSigner throwaway = signer("priming", new RSASSASigner(new RSAKeyGenerator(2048).generate()));
        for (int i = 1; i <= signatures; i++) {
            SignedJWT jwt = token();
            long before = THREADS.getCurrentThreadCpuTime();
            AccessTokenIssuer.sign(jwt, throwaway);
            System.out.println("sig " + i + " " + (THREADS.getCurrentThreadCpuTime() - before) / 1000);
        }
    }

    private static SignedJWT token() {
        Date now = new Date();
        return new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt"))
                .keyID("real").build(), new JWTClaimsSet.Builder().issuer("https://bench.invalid").subject("bench")
                .claim("client_id", "bench").jwtID(UUID.randomUUID().toString()).issueTime(now).expirationTime(now)
                .build());
    }

    private static TokenSigner signer(String kid, JWSSigner jws) {
        return new TokenSigner() {
            @Override
            public String keyId() {
                return kid;
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
