package dev.tokenservice.functions.template;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.config.Settings;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.AwsCallRecorder;
import dev.tokenservice.testing.DynamoDbLocal;
import dev.tokenservice.testing.MotoKms;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.testing.TestServices.RegisteredClient;
import dev.tokenservice.wiring.Services;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Every function of template.yaml run the way Lambda runs it: a container of its own (the production wiring,
 * built from settings as Lambda's environment would give them: KMS signing and sealing keys and the Secrets
 * Manager pepper on moto, DynamoDB Local), its handler made by the constructor, then invoked with its
 * events/ file carrying valid credentials. What each function's init and request call on AWS is what
 * {@link AwsCallRecorder} attributes to it, so the IAM test sees the calls only production wiring makes.
 */
class EveryFunctionInItsOwnContainerTest {

    private static Map<String, String> environment;
    private static RegisteredClient admin;
    private static String adminToken;

    @BeforeAll
    static void provisionTheStack() {
        String moto = MotoKms.endpoint();
        String signingKey = MotoKms.client().createKey(r -> r.keySpec(KeySpec.RSA_2048)
                .keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata().keyId();
        String sealingKey = MotoKms.client().createKey(r -> r.keySpec(KeySpec.SYMMETRIC_DEFAULT)
                .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)).keyMetadata().arn();
        byte[] pepper = new byte[32];
        new java.security.SecureRandom().nextBytes(pepper);
        String pepperArn;
        try (SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(java.net.URI.create(moto))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .build()) {
            pepperArn = secrets.createSecret(r -> r.name("pepper-" + java.util.UUID.randomUUID())
                    .secretString(Base64.getEncoder().encodeToString(pepper))).arn();
        }
        AwsCallRecorder.nameResource(signingKey, "SigningKey");
        AwsCallRecorder.nameResource(sealingKey, "SealingKey");
        AwsCallRecorder.nameResource(pepperArn, "SecretPepper");

        // The SDK reads credentials from system properties once this setting says they are there.
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        environment = new HashMap<>(DynamoDbLocal.shared().freshTables());
        environment.putAll(Map.of(
                "AWS_REGION", "us-east-1",
                "aws.accessKeyId", "testing",
                "AWS_ENDPOINT_URL_DYNAMODB", DynamoDbLocal.shared().endpoint(),
                "AWS_ENDPOINT_URL_KMS", moto,
                "AWS_ENDPOINT_URL_SECRETSMANAGER", moto,
                "KMS_SIGNING_KEY_ID", signingKey,
                "KMS_SEALING_KEY_ID", sealingKey,
                "SECRET_PEPPER_ARN", pepperArn,
                "ISSUER", TestServices.ISSUER));

        Services operator = container();
        admin = TestServices.registerClient(operator, ServiceScopes.ALL);
        adminToken = Requests.token(operator, admin.clientId(), ServiceScopes.ALL);
    }

    static Stream<Arguments> functions() {
        List<Arguments> functions = new ArrayList<>();
        DynamoDbLocal.readTemplateResources().fields().forEachRemaining(resource -> {
            if ("AWS::Serverless::Function".equals(resource.getValue().path("Type").asText())) {
                functions.add(Arguments.of(resource.getKey(),
                        resource.getValue().path("Properties").path("Handler").asText()));
            }
        });
        return functions.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void runsOnItsEventInAContainerOfItsOwnWithoutAServerError(String function, String handler) throws Exception {
        Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
        Method handle = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals("handleRequest") && !m.isBridge() && m.getParameterCount() == 2)
                .findFirst().orElseThrow();
        Constructor<?> withServices = type.getConstructor(Services.class);
        JsonNode event = Json.MAPPER.readTree(Files.readString(events().resolve(function + ".json")));

        // GIVEN a fresh container of the function (its init phase is the constructor)
        Object instance = withServices.newInstance(container());
        // WHEN its event arrives, with credentials that are valid for this stack
        Object response = handle.invoke(instance, input(event, handle.getParameterTypes()[0]), null);

        // THEN it answers, and never with a server error
        if (response instanceof APIGatewayProxyResponseEvent http) {
            assertTrue(http.getStatusCode() < 500, function + " answered " + http.getStatusCode() + " " + http.getBody());
        } else {
            assertFalse(response == null, function + " returned nothing");
        }
    }

    private static Services container() {
        return Services.configuredBy(Settings.of(environment), MutableClock.startingNow());
    }

    private static Object input(JsonNode event, Class<?> inputType) {
        if (!APIGatewayProxyRequestEvent.class.equals(inputType)) {
            return Json.MAPPER.convertValue(event, inputType);
        }
        APIGatewayProxyRequestEvent request = Json.MAPPER.convertValue(event, APIGatewayProxyRequestEvent.class);
        Map<String, String> headers = new HashMap<>(request.getHeaders() == null ? Map.of() : request.getHeaders());
        headers.replaceAll((name, value) -> !name.equalsIgnoreCase("Authorization") ? value
                : value.startsWith("Basic ") ? "Basic " + Base64.getEncoder().encodeToString(
                        (admin.clientId() + ":" + admin.secret()).getBytes(StandardCharsets.UTF_8))
                : "Bearer " + adminToken);
        request.setHeaders(headers);
        request.setMultiValueHeaders(null);
        return request;
    }

    private static Path events() {
        return DynamoDbLocal.templatePath().getParent().resolve("events");
    }
}
