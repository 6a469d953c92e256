package dev.tokenservice.local.gateway;

import java.util.function.LongSupplier;

/**
 * API Gateway's throttling algorithm: a bucket of {@code burst} requests, refilled at {@code rate} per
 * second; a request that finds it empty is throttled.
 */
final class TokenBucket {

    private final double ratePerSecond;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long refilledAt;

    TokenBucket(double ratePerSecond, double capacity, LongSupplier nanoTime) {
        this.ratePerSecond = ratePerSecond;
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.refilledAt = nanoTime.getAsLong();
    }

    synchronized boolean tryTake() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - refilledAt) / 1e9 * ratePerSecond);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
