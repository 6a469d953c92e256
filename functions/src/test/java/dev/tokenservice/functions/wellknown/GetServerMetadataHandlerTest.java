package dev.tokenservice.functions.wellknown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;

class GetServerMetadataHandlerTest {

    private static final String STAGE_URL = "https://abc123defg.execute-api.us-east-1.amazonaws.com/live";

    @ParameterizedTest
    @Event(value = "events/GetServerMetadataFunction.json", type = APIGatewayProxyRequestEvent.class)
    void describesTheEndpointsUnderTheStageUrl(APIGatewayProxyRequestEvent event) throws Exception {
        var handler = new GetServerMetadataHandler(TestServices.create(MutableClock.startingNow()));

        APIGatewayProxyResponseEvent response = handler.handleRequest(event, null);

        assertEquals(200, response.getStatusCode());
        JsonNode metadata = Json.MAPPER.readTree(response.getBody());
        assertEquals(STAGE_URL, metadata.path("issuer").asText());
        assertEquals(STAGE_URL + "/oauth2/token", metadata.path("token_endpoint").asText());
        assertEquals(STAGE_URL + "/.well-known/jwks.json", metadata.path("jwks_uri").asText());
        assertEquals(STAGE_URL + "/oauth2/authorize", metadata.path("authorization_endpoint").asText());
        assertEquals(STAGE_URL + "/oauth2/introspect", metadata.path("introspection_endpoint").asText());
        assertEquals(STAGE_URL + "/oauth2/revoke", metadata.path("revocation_endpoint").asText());
        assertEquals("[\"authorization_code\",\"refresh_token\",\"client_credentials\",\"urn:ietf:params:oauth:grant-type:token-exchange\",\"urn:ietf:params:oauth:grant-type:device_code\"]",
                metadata.path("grant_types_supported").toString());
        assertEquals("[\"code\"]", metadata.path("response_types_supported").toString());
        assertEquals("[\"S256\"]", metadata.path("code_challenge_methods_supported").toString());
        assertEquals("[\"client_secret_basic\",\"client_secret_post\",\"private_key_jwt\",\"none\"]",
                metadata.path("token_endpoint_auth_methods_supported").toString());
        assertTrue(metadata.path("authorization_response_iss_parameter_supported").asBoolean());
        assertEquals(STAGE_URL + "/oauth2/par", metadata.path("pushed_authorization_request_endpoint").asText());
        assertTrue(metadata.path("require_pushed_authorization_requests").isBoolean());
        assertFalse(metadata.path("require_pushed_authorization_requests").asBoolean());
        assertEquals(STAGE_URL + "/oauth2/device_authorization", metadata.path("device_authorization_endpoint").asText());
    }

    @ParameterizedTest
    @Event(value = "events/GetServerMetadataFunction.json", type = APIGatewayProxyRequestEvent.class)
    void aConfiguredIssuerWinsOverTheRequestUrl(APIGatewayProxyRequestEvent event) throws Exception {
        var services = TestServices.create(MutableClock.startingNow(), Map.of("ISSUER", "https://auth.example.com/"));

        APIGatewayProxyResponseEvent response = new GetServerMetadataHandler(services).handleRequest(event, null);

        JsonNode metadata = Json.MAPPER.readTree(response.getBody());
        assertEquals("https://auth.example.com", metadata.path("issuer").asText());
        assertEquals("https://auth.example.com/oauth2/token", metadata.path("token_endpoint").asText());
    }
}
