package dev.tokenservice.local.gateway;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request as it reached the gateway.
 *
 * @param rawPath still percent-encoded
 * @param rawQuery still percent-encoded; null when there is none
 * @param headers in the order received, names as the client sent them as far as the server kept them
 */
record IncomingRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
        String sourceIp, String protocol, int localPort, long receivedAtMillis) {

    Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                .flatMap(e -> e.getValue().stream())
                .reduce((first, last) -> last);
    }
}
