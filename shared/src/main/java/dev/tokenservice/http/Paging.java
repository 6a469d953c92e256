package dev.tokenservice.http;

/** Query-parameter parsing shared by the paged listings. */
public final class Paging {

    private Paging() {
    }

    /** An integer limit within [min, max]; the default when absent, or 400 naming the parameter when required. */
    public static int limit(ApiRequest request, int min, int max, Integer defaultValue) {
        var raw = request.queryParameter("limit").filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            if (defaultValue == null) {
                throw JsonBody.invalid("limit: is required");
            }
            return defaultValue;
        }
        try {
            int limit = Integer.parseInt(raw.get().trim());
            if (limit >= min && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // Falls through to the same answer as an out-of-range number.
        }
        throw JsonBody.invalid("limit: must be an integer from " + min + " to " + max);
    }

    /** An integer query parameter within [min, max], the default when absent; 400 naming it otherwise. */
    public static int integer(ApiRequest request, String name, int min, int max, int defaultValue) {
        var raw = request.queryParameter(name).filter(v -> !v.isBlank());
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
