package dev.tokenservice.dpop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Server-provided DPoP nonces (RFC 9449 §8) that need no storage: a nonce names a time step and carries a keyed hash
 * of it, so any container can check one; a nonce of the current or the previous step is accepted, so a client
 * always has at least one full step to use the nonce it was given.
 */
public final class DpopNonces {

    private static final String PURPOSE = "dpop-nonce:";

    private final UnaryOperator<String> keyedHash;
    private final Clock clock;
    private final long stepSeconds;

    /** @param keyedHash a keyed hash only this service can compute (the secret pepper's) */
    public DpopNonces(UnaryOperator<String> keyedHash, Clock clock, Duration step) {
        this.keyedHash = keyedHash;
        this.clock = clock;
        this.stepSeconds = Math.max(1, step.toSeconds());
    }

    /** The nonce to hand out now (the DPoP-Nonce response header). */
    public String current() {
        return nonceFor(step());
    }

    boolean accepts(String nonce) {
        long now = step();
        return nonce != null && (matches(nonce, now) || matches(nonce, now - 1));
    }

    private boolean matches(String nonce, long step) {
        int dot = nonce.indexOf('.');
        return dot > 0 && nonce.substring(0, dot).equals(Long.toString(step, 36))
                && MessageDigest.isEqual(keyedHash.apply(PURPOSE + step).getBytes(StandardCharsets.US_ASCII),
                        nonce.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    }

    private String nonceFor(long step) {
        return Long.toString(step, 36) + "." + keyedHash.apply(PURPOSE + step);
    }

    private long step() {
        return Math.floorDiv(clock.instant().getEpochSecond(), stepSeconds);
    }
}
