package dev.tokenservice.local.failure;

import dev.tokenservice.local.template.TemplateException;
import java.util.ArrayList;
import java.util.List;

/** Describes a failure in one line, for people: each cause's type and message, never a stack trace. */
public final class Failures {

    private Failures() {
    }

    public static String describe(Throwable failure) {
        if (failure instanceof StartupException || failure instanceof TemplateException) {
            return failure.getMessage();
        }
        List<String> parts = new ArrayList<>();
        for (Throwable t = failure; t != null && parts.size() < 4; t = t.getCause()) {
            String message = t.getMessage();
            String part = t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
            if (!parts.contains(part)) {
                parts.add(part);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return String.join(" <- ", parts);
    }
}
