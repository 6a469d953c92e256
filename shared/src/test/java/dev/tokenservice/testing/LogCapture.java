package dev.tokenservice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/** The log lines (stdout, where `http.Log` writes) that an action printed, beside what it returned. */
public final class LogCapture {

    private LogCapture() {
    }

    public record Captured<T>(T result, List<String> lines) {

        /** The lines as JSON objects (every line `http.Log` writes is one). */
        public List<JsonNode> json() {
            return lines.stream().map(line -> {
                try {
                    return Json.MAPPER.readTree(line);
                } catch (IOException notJson) {
                    throw new UncheckedIOException("not a JSON log line: " + line, notJson);
                }
            }).toList();
        }

        /** The first line whose message is this one. */
        public JsonNode line(String message) {
            return json().stream().filter(line -> message.equals(line.path("message").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no log line \"" + message + "\" in " + lines));
        }
    }

    public static synchronized <T> Captured<T> during(Supplier<T> action) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        T result;
        try {
            result = action.get();
        } finally {
            System.setOut(original);
        }
        return new Captured<>(result, captured.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
