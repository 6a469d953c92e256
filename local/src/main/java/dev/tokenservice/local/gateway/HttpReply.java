package dev.tokenservice.local.gateway;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A response to write back: status, headers (a name may repeat) and body bytes. */
record HttpReply(int status, Map<String, List<String>> headers, byte[] body) {

    static HttpReply json(int status, String body, Map<String, List<String>> headers) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        all.put("Content-Type", List.of("application/json"));
        all.putAll(headers);
        return new HttpReply(status, all, body.getBytes(StandardCharsets.UTF_8));
    }
}
