package dev.tokenservice.functions.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.tokenservice.functions.oauth.IssueTokenHandler;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapAdminHandlerTest {

    @Test
    void theFirstInvocationReturnsCredentialsThatGetATokenAndTheSecondCreatesNothing() {
        Services services = TestServices.create(MutableClock.startingNow());
        BootstrapAdminHandler bootstrap = new BootstrapAdminHandler(services);

        Map<String, Object> first = bootstrap.handleRequest(Map.of(), null);
        Map<String, Object> second = bootstrap.handleRequest(Map.of(), null);

        assertEquals(true, first.get("created"));
        assertEquals(false, second.get("created"));
        assertFalse(second.containsKey("client_secret"));

        APIGatewayProxyRequestEvent tokenRequest = EventLoader.loadApiGatewayRestEvent("events/IssueTokenFunction.json");
        Map<String, String> headers = new HashMap<>(tokenRequest.getHeaders());
        headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (first.get("client_id") + ":" + first.get("client_secret")).getBytes(StandardCharsets.UTF_8)));
        tokenRequest.setHeaders(headers);
        tokenRequest.setMultiValueHeaders(null);
        assertEquals(200, new IssueTokenHandler(services).handleRequest(tokenRequest, null).getStatusCode());
    }
}
