package dev.tokenservice.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** A handler that fails on every invocation, for the local invoke's exit status. */
public final class ThrowingHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        throw new IllegalStateException("failing on purpose for " + input.get("name"));
    }
}
