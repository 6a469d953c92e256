package dev.tokenservice.http;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line on stdout, which Lambda's JSON log format and CloudWatch Logs Insights read
 * as fields. Callers pass facts, never secrets, tokens or stack traces.
 */
public final class Log {

    private Log() {
    }

    public static void info(String message, Object... fields) {
        write("INFO", message, fields);
    }

    public static void warn(String message, Object... fields) {
        write("WARN", message, fields);
    }

    public static void error(String message, Object... fields) {
        write("ERROR", message, fields);
    }

    private static void write(String level, String message, Object... fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.now().toString());
        line.put("level", level);
        line.put("message", message);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.put(String.valueOf(fields[i]), fields[i + 1]);
        }
        System.out.println(Json.write(line));
    }
}
