package dev.tokenservice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.tokens.TokenSchema;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** How Endpoint.run turns every kind of failure into a response in the family's format. */
class EndpointTest {

    @Test
    void throttlingOfEitherServiceIs429RetryAfter1() throws Exception {
        for (RuntimeException failure : new RuntimeException[] {
            Faults.dynamoDbThrottled(), Faults.dynamoDbThrottling(), Faults.kmsThrottled(),
            cancelled("None", "ThrottlingError")}) {
            APIGatewayProxyResponseEvent response = Endpoint.run("Test", ErrorFormat.OAUTH, () -> {
                throw failure;
            });
            assertEquals(429, response.getStatusCode(), failure.toString());
            assertEquals("1", response.getHeaders().get("Retry-After"));
            assertEquals("temporarily_unavailable", body(response).path("error").asText());
        }
    }

    @Test
    void outagesTimeoutsAndWriteConflictsAre503RetryAfter2() throws Exception {
        for (RuntimeException failure : new RuntimeException[] {
            Faults.dynamoDbUnavailable(), Faults.kmsInternal(), Faults.unreachable(),
            ApiCallTimeoutException.create(10_000), cancelled("TransactionConflict")}) {
            APIGatewayProxyResponseEvent response = Endpoint.run("Test", ErrorFormat.DOCSPACE, () -> {
                throw failure;
            });
            assertEquals(503, response.getStatusCode(), failure.toString());
            assertEquals("2", response.getHeaders().get("Retry-After"));
            assertFalse(body(response).path("reason").asText().isEmpty());
        }
    }

    @Test
    void aWrappedSdkFailureIsRecognised() {
        APIGatewayProxyResponseEvent response = Endpoint.run("Test", ErrorFormat.OAUTH, () -> {
            throw new CompletionException(new IllegalStateException("signing", Faults.kmsThrottled()));
        });

        assertEquals(429, response.getStatusCode());
    }

    @Test
    void anItemOverDynamoDbsSizeLimitIs400NotA500() throws Exception {
        // GIVEN a row whose stored form passes DynamoDB's 400 KB item limit, written to DynamoDB Local
        var tables = dev.tokenservice.testing.TestServices.create(java.time.Clock.systemUTC()).tables();
        dev.tokenservice.tokens.TokenItem row = new dev.tokenservice.tokens.TokenItem();
        row.setTokenKey("AT#too-large");
        row.setDetails("{\"padding\":\"" + "x".repeat(450_000) + "\"}");
        // WHEN an endpoint writes it THEN the caller gets a 400 in its family's format, not a 500
        APIGatewayProxyResponseEvent response = Endpoint.run("Test", ErrorFormat.AGILICUS, () -> {
            tables.of(TokenSchema.TABLE).putItem(row);
            return ApiResponse.json(201, "{}", java.util.Map.of());
        });
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertEquals("invalid_request", body(response).path("error_code").asText(), response.getBody());
        // AND nothing was written
        assertNull(tables.of(TokenSchema.TABLE).getItem(row));
    }

    @Test
    void anythingElseIsAPlain500WithoutDetails() throws Exception {
        APIGatewayProxyResponseEvent response = Endpoint.run("Test", ErrorFormat.OAUTH, () -> {
            throw new IllegalStateException("secret detail at dev.tokenservice.Foo");
        });

        assertEquals(500, response.getStatusCode());
        assertNull(response.getHeaders().get("Retry-After"));
        assertEquals("{\"error\":\"server_error\",\"error_description\":\"something went wrong\"}", response.getBody());
    }

    private static RuntimeException cancelled(String... codes) {
        CancellationReason[] reasons = new CancellationReason[codes.length];
        for (int i = 0; i < codes.length; i++) {
            reasons[i] = CancellationReason.builder().code(codes[i]).build();
        }
        return TransactionCanceledException.builder().statusCode(400).cancellationReasons(reasons)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .serviceName("DynamoDb").errorCode("TransactionCanceledException").build())
                .build();
    }

    private static JsonNode body(APIGatewayProxyResponseEvent response) throws Exception {
        return Json.MAPPER.readTree(response.getBody());
    }
}
