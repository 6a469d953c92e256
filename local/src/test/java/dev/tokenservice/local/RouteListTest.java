package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.TemplateModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route list the runner prints shows the limits in force, with the --parameter overrides applied. */
class RouteListTest {

    private static final Path TEMPLATE = LocalOptions.findTemplate(Path.of(""));

    private static String limitsOf(Map<String, String> overrides, String route) {
        TemplateModel template = TemplateModel.load(TEMPLATE, overrides);
        ApiRoute found = template.apiRoutes().stream().filter(r -> r.toString().equals(route)).findFirst()
                .orElseThrow(() -> new AssertionError("no route " + route));
        return LocalServer.limits(template, found);
    }

    @Test
    void anApiKeyRouteShowsTheUsagePlansOverriddenThrottleAndQuota() {
        // GIVEN the management usage plan's limits overridden as `--parameter` does
        String limits = limitsOf(Map.of("ManagementRateLimit", "777", "ManagementBurstLimit", "888",
                "ManagementDailyQuota", "99999"), "POST /api/2.0/clients");

        // THEN the route list shows those, not the template's defaults
        assertTrue(limits.contains("usage plan 777 req/s, burst 888"), limits);
        assertTrue(limits.contains("quota 99999 a day"), limits);
    }

    @Test
    void theTokenEndpointShowsItsOverriddenMethodThrottle() {
        String limits = limitsOf(Map.of("TokenEndpointRateLimit", "1234", "TokenEndpointBurstLimit", "2345"),
                "POST /oauth2/token");

        assertEquals("1234 req/s, burst 2345", limits);
    }
}
