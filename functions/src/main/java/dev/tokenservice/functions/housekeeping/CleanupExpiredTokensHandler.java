package dev.tokenservice.functions.housekeeping;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.tokenservice.housekeeping.CleanupSummary;
import dev.tokenservice.housekeeping.ExpiredTokenCleanup;
import dev.tokenservice.http.Log;
import dev.tokenservice.wiring.Services;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Scheduled (EventBridge Scheduler, template.yaml's ScheduleV2): removes expired tokens, codes, revocation
 * records and the leftovers of deleted clients, within the invocation's time, and logs one JSON summary line.
 * The schedule's input is ignored.
 */
public final class CleanupExpiredTokensHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    /** Time allowed when invoked without a Lambda context (tests, tools). */
    private static final long WITHOUT_CONTEXT_MILLIS = 60_000;

    private final ExpiredTokenCleanup cleanup;

    public CleanupExpiredTokensHandler() {
        this(Services.production());
    }

    public CleanupExpiredTokensHandler(Services services) {
        this.cleanup = services.expiredTokenCleanup();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        LongSupplier remaining;
        if (context != null) {
            remaining = context::getRemainingTimeInMillis;
        } else {
            long deadline = System.currentTimeMillis() + WITHOUT_CONTEXT_MILLIS;
            remaining = () -> deadline - System.currentTimeMillis();
        }
        CleanupSummary summary = cleanup.run(remaining);
        if (summary.failure() != null) {
            Log.error("cleanup summary", summary.logFields());
        } else {
            Log.info("cleanup summary", summary.logFields());
        }
        return summary.asMap();
    }
}
