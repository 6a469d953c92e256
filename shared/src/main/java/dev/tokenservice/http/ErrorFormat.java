package dev.tokenservice.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** How one API family writes an error body. */
@FunctionalInterface
public interface ErrorFormat {

    Object body(int status, String code, String description);

    /** RFC 6749 §5.2 (also RFC 6750, 7009, 7662): {"error", "error_description"}. */
    ErrorFormat OAUTH = (status, code, description) -> ordered("error", code, "error_description", description);

    /**
     * DocSpace: the ErrorResponse {"reason"} its server sends, plus the RFC 9457 fields its newer SDKs
     * parse (they ignore unknown keys, so both generations read their part).
     */
    ErrorFormat DOCSPACE = (status, code, description) -> ordered(
            "reason", description,
            "type", "https://api.onlyoffice.com/docspace/api-backend/get-started/basic-concepts",
            "title", HttpStatusText.of(status),
            "status", status,
            "detail", description);

    /** Agilicus: the API's ErrorMessage model, {"error_code", "error_message"}. */
    ErrorFormat AGILICUS = (status, code, description) -> ordered(
            "error_code", code, "error_message", description);

    /**
     * Knetik JSAPI: the SDK's Result model, {"code", "result": [ErrorResource {"message", "field"}]}; the field
     * is the name our descriptions start with ("order: ...").
     */
    ErrorFormat KNETIK = (status, code, description) -> {
        Map<String, Object> error = new LinkedHashMap<>();
        int colon = description == null ? -1 : description.indexOf(": ");
        if (colon > 0 && description.substring(0, colon).matches("[a-z_]+")) {
            error.put("field", description.substring(0, colon));
        }
        error.put("message", description);
        return ordered("code", status, "result", java.util.List.of(error));
    };

    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            body.put((String) pairs[i], pairs[i + 1]);
        }
        return body;
    }
}
