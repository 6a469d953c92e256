package dev.tokenservice.functions.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.testing.DpopProver;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every route of template.yaml that takes a caller's access token takes a DPoP-bound one the RFC 9449 way and no
 * other: with {@code Authorization: DPoP} and a proof of its key for that request it gets past authentication, as
 * a Bearer token it is refused with 401 (where the route requires a caller). Routes come from template.yaml and each starts from its own event in
 * events/, so a new protected route is covered without editing this test.
 */
class DpopOnEveryProtectedRouteTest {

    private final JsonNode resources = DynamoDbLocal.readTemplateResources();
    private final MutableClock clock = MutableClock.startingNow();
    private final Services services = TestServices.create(clock);
    private final DpopProver prover = DpopProver.es256(clock);
    private final String boundAdminToken = services.accessTokenIssuer().issue(new AccessTokenRequest(
            TestServices.ISSUER, "dpop-admin", "dpop-admin", List.of("clients:admin", "clients:write", "tokens:admin",
                    "sessions:create", "openid"), List.of(TestServices.ISSUER), Duration.ofHours(1))
            .boundTo(prover.thumbprint())).value();

    @Test
    void everyProtectedRouteTakesABoundTokenOnlyWithAProofOfItsKey() throws Exception {
        List<String> failures = new ArrayList<>();
        TreeSet<String> protectedRoutes = new TreeSet<>();
        for (var entry : (Iterable<Map.Entry<String, JsonNode>>) resources::fields) {
            JsonNode function = entry.getValue();
            for (JsonNode trigger : function.path("Properties").path("Events")) {
                if (!"Api".equals(trigger.path("Type").asText())) {
                    continue;
                }
                String route = trigger.path("Properties").path("Method").asText().toUpperCase(Locale.ROOT) + " "
                        + trigger.path("Properties").path("Path").asText();
                var handler = handler(function);
                APIGatewayProxyRequestEvent event = event(entry.getKey());
                APIGatewayProxyResponseEvent anonymous = handler.handleRequest(withoutCredentials(event), null);
                if (!takesAnAccessToken(event) || isPage(anonymous)) {
                    continue;
                }
                // A route the seed opens to anyone (Agilicus' validation) takes a caller that does not verify as nobody.
                boolean callerRequired = anonymous.getStatusCode() == 401;
                protectedRoutes.add(route + " (" + entry.getKey() + ")");
                String uri = TestServices.ISSUER + event.getPath();

                // GIVEN a bound token WHEN sent with the DPoP scheme and a proof for this request THEN it is let through
                APIGatewayProxyResponseEvent withProof = handler.handleRequest(withAuthorization(event,
                        "DPoP " + boundAdminToken, prover.proof(event.getHttpMethod(), uri, boundAdminToken)), null);
                if (withProof.getStatusCode() == 401 || withProof.getStatusCode() >= 500) {
                    failures.add(route + " with DPoP and a proof: " + withProof.getStatusCode() + " " + withProof.getBody());
                }
                // WHEN the same token is sent as a Bearer token THEN 401
                APIGatewayProxyResponseEvent asBearer = handler.handleRequest(withAuthorization(event,
                        "Bearer " + boundAdminToken, null), null);
                if (callerRequired && asBearer.getStatusCode() != 401) {
                    failures.add(route + " as Bearer: " + asBearer.getStatusCode() + " " + asBearer.getBody());
                }
            }
        }
        assertTrue(protectedRoutes.size() >= 18, "protected routes found: " + protectedRoutes);
        assertTrue(failures.isEmpty(), String.join("\n", failures) + "\nof the protected routes " + protectedRoutes);
    }

    /** The browser's routes answer with pages: they take a session, not an access token (SignInBoundaryTest). */
    private static boolean isPage(APIGatewayProxyResponseEvent response) {
        return response.getHeaders() != null && (response.getHeaders().getOrDefault("Content-Type", "").startsWith("text/html")
                || response.getHeaders().containsKey("Location"));
    }

    private static boolean takesAnAccessToken(APIGatewayProxyRequestEvent event) {
        return event.getHeaders().getOrDefault("Authorization", "").startsWith("Bearer ")
                || event.getHeaders().getOrDefault("Cookie", "").contains("asc_auth_key=");
    }

    private static APIGatewayProxyRequestEvent withoutCredentials(APIGatewayProxyRequestEvent event) {
        return withAuthorization(event, null, null);
    }

    private static APIGatewayProxyRequestEvent withAuthorization(APIGatewayProxyRequestEvent event, String authorization,
            String proof) {
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.remove("Authorization");
        headers.remove("Cookie");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        if (proof != null) {
            headers.put("DPoP", proof);
        }
        return new APIGatewayProxyRequestEvent().withHttpMethod(event.getHttpMethod()).withPath(event.getPath())
                .withResource(event.getResource()).withPathParameters(event.getPathParameters())
                .withQueryStringParameters(event.getQueryStringParameters())
                .withMultiValueQueryStringParameters(event.getMultiValueQueryStringParameters())
                .withRequestContext(event.getRequestContext()).withHeaders(headers).withBody(event.getBody());
    }

    /** The route's own event, addressed to this test's issuer. */
    private static APIGatewayProxyRequestEvent event(String function) {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("events/" + function + ".json");
        Map<String, String> headers = new HashMap<>(event.getHeaders() == null ? Map.of() : event.getHeaders());
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        event.setHeaders(headers);
        event.setMultiValueHeaders(null);
        return event;
    }

    @SuppressWarnings("unchecked")
    private RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler(JsonNode function)
            throws ReflectiveOperationException {
        String handler = function.path("Properties").path("Handler").asText();
        Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
        return (RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>)
                type.getConstructor(Services.class).newInstance(services);
    }
}
