package dev.tokenservice.dpop;

import dev.tokenservice.clients.SecretHasher;
import java.time.Clock;
import java.time.Duration;

/**
 * Server-provided DPoP nonces (RFC 9449 §8) that need no storage: a nonce names a time step and carries a keyed hash
 * of it, so any container can check one; a nonce of the current or the previous step is accepted, so a client
 * always has at least one full step to use the nonce it was given.
 */
public final class DpopNonces {

    private static final String PURPOSE = "dpop-nonce:";

    private final SecretHasher hasher;
    private final Clock clock;
    private final long stepSeconds;

    public DpopNonces(SecretHasher hasher, Clock clock, Duration step) {
        this.hasher = hasher;
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
                && hasher.matches(PURPOSE + step, nonce.substring(dot + 1));
    }

    private String nonceFor(long step) {
        return Long.toString(step, 36) + "." + hasher.hash(PURPOSE + step);
    }

    private long step() {
        return Math.floorDiv(clock.instant().getEpochSecond(), stepSeconds);
    }
}
