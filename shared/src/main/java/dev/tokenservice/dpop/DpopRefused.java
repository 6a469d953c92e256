package dev.tokenservice.dpop;

/**
 * A DPoP proof that cannot be accepted, and why (safe to show the client). When {@code nonceNeeded}, the proof was
 * refused only for lacking the current server nonce (RFC 9449 §8: the answer is use_dpop_nonce with a fresh one).
 */
public final class DpopRefused extends RuntimeException {

    private final boolean nonceNeeded;

    DpopRefused(String description, boolean nonceNeeded) {
        super(description, null, false, false);
        this.nonceNeeded = nonceNeeded;
    }

    public boolean nonceNeeded() {
        return nonceNeeded;
    }
}
