package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.local.schedule.Schedule;
import dev.tokenservice.local.template.ApiDefinition;
import dev.tokenservice.local.template.ApiDefinition.GatewayResponse;
import dev.tokenservice.local.template.ApiDefinition.Throttle;
import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.FunctionDefinition;
import dev.tokenservice.local.template.TemplateException;
import dev.tokenservice.local.template.TemplateModel;
import dev.tokenservice.storage.TableDefinitions;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;

class TemplateModelTest {

    private static final Path TEMPLATE = LocalOptions.findTemplate(Path.of(""));

    private static TemplateModel template(Map<String, String> overrides) {
        return TemplateModel.load(TEMPLATE, overrides);
    }

    @Test
    void everyFunctionNamesAHandlerMethodThatExistsOnTheClasspath() throws Exception {
        List<FunctionDefinition> functions = template(Map.of()).functions();

        assertFalse(functions.isEmpty());
        for (FunctionDefinition function : functions) {
            assertNotNull(function.handler(), function.logicalId() + " has no Handler");
            Class<?> handler = Class.forName(function.handlerClassName());
            assertTrue(Arrays.stream(handler.getMethods()).map(Method::getName).anyMatch(function.handlerMethodName()::equals),
                    function.handler() + " has no such method");
        }
    }

    @Test
    void routesIncludeTheTokenEndpointAndTheTwoWellKnownDocumentsAndNoneTwice() {
        List<String> routes = template(Map.of()).apiRoutes().stream().map(ApiRoute::toString).toList();

        assertTrue(routes.containsAll(
                List.of("POST /oauth2/token", "GET /.well-known/jwks.json", "GET /.well-known/oauth-authorization-server")),
                routes.toString());
        assertEquals(routes.size(), Set.copyOf(routes).size(), "API Gateway refuses a method and path twice: " + routes);
    }

    @Test
    void theCleanupRunsOnTheScheduleParameterWithItsInput() {
        var schedules = template(Map.of("CleanupSchedule", "rate(1 hour)")).schedules();

        var cleanup = schedules.stream().filter(s -> s.function().logicalId().equals("CleanupExpiredTokensFunction"))
                .findFirst().orElseThrow(() -> new AssertionError("no scheduled cleanup in " + schedules));
        assertEquals("rate(1 hour)", cleanup.expression());
        assertEquals("{\"schedule\": \"CleanupSchedule\"}", cleanup.input());
        assertEquals(300, cleanup.function().timeoutSeconds());
        Schedule.parse(template(Map.of()).schedules().get(0).expression());
    }

    @Test
    void locallyTheKeyFileSignsSoTheKeyRotationFunctionOfTheWrappedModeIsNotThere() {
        // GIVEN no SigningMode given to the runner: the template's default (wrapped) is replaced by kms locally
        var functions = TemplateModel.load(TEMPLATE, LocalServer.localParameters(Map.of())).functions();

        assertTrue(functions.stream().noneMatch(f -> f.logicalId().equals("RotateSigningKeysFunction")));
        assertTrue(functions.stream().anyMatch(f -> f.logicalId().equals("IssueTokenFunction")));
    }

    @Test
    void inWrappedModeTheKeyRotationRunsOnItsScheduleWithItsInput() {
        var rotation = template(Map.of("SigningMode", "wrapped")).schedules().stream()
                .filter(s -> s.function().logicalId().equals("RotateSigningKeysFunction")).findFirst()
                .orElseThrow(() -> new AssertionError("no scheduled key rotation in wrapped mode"));

        assertEquals("rate(1 hour)", rotation.expression());
        assertEquals("{\"schedule\": \"SigningKeyRotationSchedule\"}", rotation.input());
    }

    @Test
    void publicOAuthRoutesNeedNoApiKey() {
        template(Map.of()).apiRoutes().stream()
                .filter(r -> r.path().equals("/oauth2/token") || r.path().startsWith("/.well-known/"))
                .forEach(r -> assertFalse(r.apiKeyRequired(), r + " must be callable without an API key"));
    }

    @Test
    void functionsTakeTimeoutAndMemoryFromGlobals() {
        FunctionDefinition issueToken = function(template(Map.of()), "IssueTokenFunction");

        assertEquals(15, issueToken.timeoutSeconds());
        assertEquals(1024, issueToken.memorySizeMb());
        assertEquals("handleRequest", issueToken.handlerMethodName());
    }

    @Test
    void tokenEndpointHasItsOwnThrottleAndOtherMethodsTheStageDefault() {
        ApiDefinition api = apiOf(template(Map.of()), "POST", "/oauth2/token");

        assertEquals(new Throttle(500, 1000), api.throttleFor("/oauth2/token", "POST").orElseThrow());
        assertEquals(new Throttle(1000, 2000), api.throttleFor("/.well-known/jwks.json", "GET").orElseThrow());
    }

    @Test
    void parameterOverridesReachTheThrottleSettings() {
        TemplateModel template = template(Map.of("TokenEndpointRateLimit", "1", "TokenEndpointBurstLimit", "2"));

        Throttle throttle = apiOf(template, "POST", "/oauth2/token").throttleFor("/oauth2/token", "POST").orElseThrow();

        assertEquals(new Throttle(1, 2), throttle);
        assertEquals("1", template.parameters().get("TokenEndpointRateLimit"));
        assertEquals("3600", template.parameters().get("AccessTokenTtlSeconds"));
    }

    @Test
    void usagePlanAndGatewayResponsesAreReadWithQuotesStripped() {
        ApiDefinition api = apiOf(template(Map.of()), "POST", "/oauth2/token");

        var plan = api.usagePlan().orElseThrow();
        assertEquals(new Throttle(125, 250), plan.throttle().orElseThrow());
        assertEquals(new ApiDefinition.Quota(1_000_000, "DAY"), plan.quota().orElseThrow());
        GatewayResponse throttled = api.gatewayResponses().get("THROTTLED");
        assertEquals(429, throttled.statusCode());
        assertEquals(Map.of("Retry-After", "1"), throttled.headers());
        assertTrue(throttled.jsonTemplate().contains("\"error\":\"slow_down\""), throttled.jsonTemplate());
        assertEquals("3600", api.gatewayResponses().get("QUOTA_EXCEEDED").headers().get("Retry-After"));
    }

    @Test
    void functionEnvironmentResolvesTablesAndParametersAndLeavesOutWhatExistsOnlyInAws() {
        TemplateModel template = template(Map.of("AccessTokenTtlSeconds", "120"));

        Map<String, String> environment = template.functionEnvironment(
                Map.of("ClientsTable", "local-clients", "TokensTable", "local-tokens", "ConsentsTable", "local-consents"));

        assertEquals("local-clients", environment.get("CLIENTS_TABLE"));
        assertEquals("local-tokens", environment.get("TOKENS_TABLE"));
        assertEquals("local-consents", environment.get("CONSENTS_TABLE"));
        assertEquals("120", environment.get("ACCESS_TOKEN_TTL_SECONDS"));
        assertFalse(environment.containsKey("SECRET_PEPPER_ARN"), "a Secrets Manager ARN exists only in AWS");
        assertFalse(environment.containsKey("KMS_SIGNING_KEY_ID"), "the stack's KMS key exists only in AWS");
        assertFalse(environment.containsKey("ISSUER"), "an empty Issuer leaves ISSUER unset");
        assertEquals(Map.of("CLIENTS_TABLE", "ClientsTable", "TOKENS_TABLE", "TokensTable", "CONSENTS_TABLE", "ConsentsTable"),
                template.variablesReferencing(TemplateModel.TABLE_TYPE));
    }

    @Test
    void issuerParameterSetsIssuerThroughItsCondition() {
        Map<String, String> environment = template(Map.of("Issuer", "https://auth.example.com"))
                .functionEnvironment(Map.of());

        assertEquals("https://auth.example.com", environment.get("ISSUER"));
    }

    @Test
    void tableResourcesBuildTheCreateRequestsOfTheTemplatesTables() {
        TemplateModel template = template(Map.of());
        JsonNode resources = template.tableResources();

        assertEquals(List.of("ClientsTable", "TokensTable", "ConsentsTable"), template.tableIds());
        CreateTableRequest tokens = TableDefinitions.createRequest("tokens",
                resources.path("TokensTable").path("Properties"));
        assertEquals("token_key", tokens.keySchema().get(0).attributeName());
        assertEquals(Set.of("subject-shard-issued-index", "org-shard-issued-index", "pair-user-index",
                "pair-client-index", "expiry-index", "listing-issued-index"),
                tokens.globalSecondaryIndexes().stream().map(i -> i.indexName()).collect(Collectors.toSet()));
    }

    @Test
    void unknownOrInvalidParameterOverridesAreRefusedLikeCloudFormationWould() {
        var unknown = assertThrows(TemplateException.class, () -> template(Map.of("TokenEndpointRate", "1")));
        assertTrue(unknown.getMessage().contains("no parameter TokenEndpointRate"), unknown.getMessage());

        var notAllowed = assertThrows(TemplateException.class, () -> template(Map.of("SigningKeySpec", "RSA_4096")));
        assertTrue(notAllowed.getMessage().contains("SigningKeySpec=RSA_4096"), notAllowed.getMessage());

        var tooSmall = assertThrows(TemplateException.class, () -> template(Map.of("AccessTokenTtlSeconds", "5")));
        assertTrue(tooSmall.getMessage().contains("MinValue"), tooSmall.getMessage());
    }

    @Test
    void shortFormIntrinsicsBecomeLongFormAndResolve() {
        TemplateModel template = TemplateModel.parse("""
                Parameters:
                  Stage: {Type: String, Default: live}
                  Names: {Type: CommaDelimitedList, Default: 'a,b,c'}
                Conditions:
                  IsLive: !Equals [!Ref Stage, live]
                  NotLive: !Not [!Condition IsLive]
                  Both: !And [!Condition IsLive, !Or [!Condition NotLive, !Equals [1, 1]]]
                Mappings:
                  Sizes: {live: {memory: 2048}}
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: !Sub '${Stage}.Handler::handle'
                      MemorySize: !FindInMap [Sizes, !Ref Stage, memory]
                      Timeout: !If [Both, 30, 3]
                      Environment:
                        Variables:
                          SECOND: !Select [1, !Split [',', 'x,y,z']]
                          JOINED: !Join ['-', !Ref Names]
                          REGION_URL: !Sub 'https://${AWS::Region}.${AWS::URLSuffix}/${!Literal}'
                          ENCODED: !Base64 hi
                          ARN: !GetAtt Table.Arn
                          GONE: !If [NotLive, kept, !Ref AWS::NoValue]
                  Table:
                    Type: AWS::DynamoDB::Table
                """, "inline", Map.of());

        FunctionDefinition function = template.functions().get(0);
        assertEquals("live.Handler::handle", function.handler());
        assertEquals(2048, function.memorySizeMb());
        assertEquals(30, function.timeoutSeconds());
        assertEquals(Map.of("SECOND", "y", "JOINED", "a-b-c", "REGION_URL", "https://us-east-1.amazonaws.com/${Literal}",
                "ENCODED", "aGk="), template.functionEnvironment(Map.of()));
        Map<?, ?> variables = (Map<?, ?>) ((Map<?, ?>) template.properties("Fn").get("Environment")).get("Variables");
        assertEquals(Map.of("Fn::GetAtt", List.of("Table", "Arn")), variables.get("ARN"));
    }

    @Test
    void aTemplateThatIsNotCloudFormationYamlIsReportedWithItsSource() {
        var error = assertThrows(TemplateException.class,
                () -> TemplateModel.parse("Resources: {A: !Unknown x}", "broken.yaml", Map.of()));
        assertTrue(error.getMessage().startsWith("broken.yaml"), error.getMessage());
    }

    private static FunctionDefinition function(TemplateModel template, String id) {
        return template.functions().stream().filter(f -> f.logicalId().equals(id)).findFirst().orElseThrow();
    }

    private static ApiDefinition apiOf(TemplateModel template, String method, String path) {
        ApiRoute route = template.apiRoutes().stream()
                .filter(r -> r.method().equals(method) && r.path().equals(path))
                .findFirst().orElseThrow();
        return template.api(route.apiId()).orElseThrow();
    }
}
