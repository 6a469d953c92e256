package dev.tokenservice.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs a blocking call (a KMS Sign, a DynamoDB read) beside another one on the request path, so the two cost
 * one round trip, not two. One daemon pool per container for every such overlap: its threads never keep a
 * JVM alive and are reused across requests.
 */
public final class SideBySide {

    private static final ExecutorService THREADS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "side-by-side");
        thread.setDaemon(true);
        return thread;
    });

    /** On a pool thread, the thread whose request it is working for. */
    private static final ThreadLocal<Thread> REQUEST_THREAD = new ThreadLocal<>();

    private SideBySide() {
    }

    public static <T> CompletableFuture<T> supply(Supplier<T> call) {
        Thread requester = requestThread();
        return CompletableFuture.supplyAsync(() -> {
            REQUEST_THREAD.set(requester);
            try {
                return call.get();
            } finally {
                REQUEST_THREAD.remove();
            }
        }, THREADS);
    }

    public static CompletableFuture<Void> run(Runnable call) {
        return supply(() -> {
            call.run();
            return null;
        });
    }

    /**
     * The thread serving the request the current code works for: itself, or on a side-by-side thread the one
     * that handed it the call. Per-request diagnostics (the tests' record of which function made which AWS
     * call) follow a request onto the pool through it.
     */
    public static Thread requestThread() {
        Thread requester = REQUEST_THREAD.get();
        return requester != null ? requester : Thread.currentThread();
    }

    /** The call's result; its failure rethrown as it was thrown (an SDK throttle stays an SDK throttle). */
    public static <T> T join(CompletableFuture<T> call) {
        try {
            return call.join();
        } catch (CompletionException failed) {
            throw failed.getCause() instanceof RuntimeException cause ? cause : failed;
        }
    }
}
