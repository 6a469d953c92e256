package dev.tokenservice.bench;

/**
 * Stands in for the SnapStart checkpoint on a JVM without CRaC: runs every registered beforeCheckpoint hook, as
 * Lambda does before it snapshots an initialised function. Kept apart from ColdStart so the baseline's jar, which
 * has none of token-service, never loads it.
 */
final class Prime {

    private Prime() {
    }

    static void beforeCheckpoint() {
        dev.tokenservice.wiring.Priming.runRegistered();
    }
}
