package dev.tokenservice.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test during which the service broke a request-level storage rule ({@link AwsCallRecorder}), even
 * when the code under test caught the exception the recorder threw and answered something plausible.
 * Registered for every test by JUnit's extension autodetection (the parent pom turns it on).
 */
public final class RequestLevelRules implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RequestLevelRules.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("seen", AwsCallRecorder.violations().size());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int seen = context.getStore(NAMESPACE).getOrDefault("seen", Integer.class, 0);
        List<String> violations = AwsCallRecorder.violations();
        if (violations.size() > seen) {
            throw new AssertionError("the service broke a request-level storage rule (never a Scan; reads that "
                    + "decide access are strongly consistent):\n  " + String.join("\n  ", violations.subList(seen, violations.size())));
        }
    }
}
