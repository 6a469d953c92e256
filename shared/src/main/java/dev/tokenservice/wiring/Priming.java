package dev.tokenservice.wiring;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.tokenservice.http.Log;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming: before Lambda takes the snapshot of an initialised function (beforeCheckpoint), a handler
 * runs its own request path once with input that cannot change anything (an unknown client, a token that was never
 * stored), so that the JSON, JWT and SDK code is loaded and compiled in the snapshot instead of on the first
 * request after a restore. Priming reads; it never writes to DynamoDB and never stores a token. A failure is logged
 * and ignored: priming only saves time.
 */
public final class Priming implements Resource {

    /** CRaC holds resources weakly; these strong references keep the hooks alive until the checkpoint. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();
    /** A client id that no client can have: registry ids are UUIDs. */
    public static final String NO_CLIENT = "priming-no-such-client";

    private final String name;
    private final Runnable action;
    private final Runnable afterRestore;

    private Priming(String name, Runnable action, Runnable afterRestore) {
        this.name = name;
        this.action = action;
        this.afterRestore = afterRestore;
    }

    public static void register(String name, Runnable action) {
        aroundSnapshot(name, action, () -> { });
    }

    /** A hook run before the snapshot and one run after each restore (e.g. to keep secrets out of the snapshot). */
    public static void aroundSnapshot(String name, Runnable beforeSnapshot, Runnable afterRestore) {
        Priming priming = new Priming(name, beforeSnapshot, afterRestore);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
    }

    /**
     * Runs every registered hook now, as the checkpoint would. For measuring priming on a JVM without CRaC
     * (bench/cold-start.sh), where org.crac's global context refuses to be driven by hand.
     */
    public static void runRegistered() {
        REGISTERED.forEach(priming -> priming.beforeCheckpoint(null));
        REGISTERED.forEach(priming -> priming.afterRestore(null));
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            action.run();
        } catch (RuntimeException failure) {
            Log.warn("priming failed", "function", name, "exception", failure.getClass().getName());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // SDK clients re-resolve credentials and connections on use; only explicit hooks have work here.
        try {
            afterRestore.run();
        } catch (RuntimeException failure) {
            Log.warn("restore hook failed", "function", name, "exception", failure.getClass().getName());
        }
    }

    /** A form POST as API Gateway delivers it, authenticated as {@link #NO_CLIENT}, which no client can be. */
    public static APIGatewayProxyRequestEvent formPost(String path, String body) {
        String basic = Base64.getEncoder().encodeToString((NO_CLIENT + ":priming").getBytes(StandardCharsets.UTF_8));
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext();
        context.setStage("priming");
        context.setHttpMethod("POST");
        context.setResourcePath(path);
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST")
                .withPath(path)
                .withResource(path)
                .withHeaders(Map.of("Host", "priming.invalid", "Content-Type", "application/x-www-form-urlencoded",
                        "Authorization", "Basic " + basic))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(context);
    }
}
