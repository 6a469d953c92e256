package dev.tokenservice.signing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The `wrapped` mode's keys with their schedule. Every key in the ring is published; the one that signs at an
 * instant is the latest whose activation has come. A key is kept until every token it can have signed has expired:
 * its successor's activation plus the longest token lifetime (plus clock skew between containers).
 */
public record KeyRing(long version, List<WrappedKey> keys) {

    /** Containers' clocks may differ this much; a retiring key stays published this much longer. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final Comparator<WrappedKey> BY_ACTIVATION =
            Comparator.comparing(WrappedKey::activatesAt).thenComparing(WrappedKey::createdAt);

    public KeyRing {
        keys = keys.stream().sorted(BY_ACTIVATION).toList();
    }

    public static KeyRing empty() {
        return new KeyRing(0, List.of());
    }

    public Optional<WrappedKey> activeAt(Instant instant) {
        return keys.stream().filter(key -> !key.activatesAt().isAfter(instant)).max(BY_ACTIVATION);
    }

    /** The next key to sign: published, not yet active. */
    public Optional<WrappedKey> pendingAt(Instant instant) {
        return keys.stream().filter(key -> key.activatesAt().isAfter(instant)).min(BY_ACTIVATION);
    }

    public Optional<WrappedKey> find(String kid) {
        return keys.stream().filter(key -> key.kid().equals(kid)).findFirst();
    }

    /** When the key may leave the JWKS; empty while no later key has taken over from it. */
    public Optional<Instant> retiresAt(WrappedKey key, Duration longestTokenLifetime) {
        return keys.stream().filter(other -> BY_ACTIVATION.compare(other, key) > 0).min(BY_ACTIVATION)
                .map(successor -> successor.activatesAt().plus(longestTokenLifetime).plus(CLOCK_SKEW));
    }

    KeyRing with(WrappedKey added) {
        List<WrappedKey> next = new ArrayList<>(keys);
        next.add(added);
        return new KeyRing(version, next);
    }

    KeyRing without(String kid) {
        return new KeyRing(version, keys.stream().filter(key -> !key.kid().equals(kid)).toList());
    }

    KeyRing activating(String kid, Instant instant) {
        return new KeyRing(version, keys.stream()
                .map(key -> key.kid().equals(kid) ? key.activatingAt(instant) : key).toList());
    }
}
