package dev.tokenservice.http;

import java.util.Optional;

/** Query-parameter parsing shared by the paged listings. */
public final class Paging {

    private Paging() {
    }

    /** An integer limit within [min, max]; the default when absent, or 400 naming the parameter when required. */
    public static int limit(ApiRequest request, int min, int max, Integer defaultValue) {
        if (defaultValue == null && request.queryParameter("limit").isEmpty()) {
            throw JsonBody.invalid("limit: is required");
        }
        return integer(request, "limit", min, max, defaultValue == null ? min : defaultValue);
    }

    /**
     * An integer query parameter within [min, max], the default when absent; 400 naming it otherwise. Present but
     * empty ("size=") is not absent: the parameter is typed as an integer, and "" is none.
     */
    public static int integer(ApiRequest request, String name, int min, int max, int defaultValue) {
        Optional<String> raw = request.queryParameter(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get().trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // Falls through to the same answer as an out-of-range number.
        }
        throw JsonBody.invalid(name + ": must be an integer from " + min + " to " + max);
    }
}
