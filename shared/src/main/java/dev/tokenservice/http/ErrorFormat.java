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

    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            body.put((String) pairs[i], pairs[i + 1]);
        }
        return body;
    }
}
