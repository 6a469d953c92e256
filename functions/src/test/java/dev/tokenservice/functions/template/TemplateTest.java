package dev.tokenservice.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.DynamoDbLocal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** template.yaml, the handler classes and events/ must agree, or `sam deploy` ships a broken API. */
class TemplateTest {

    private final JsonNode resources = DynamoDbLocal.readTemplateResources();
    private final Path events = DynamoDbLocal.templatePath().getParent().resolve("events");

    @Test
    void everyFunctionsHandlerIsALambdaHandlerClassWithAPublicNoArgConstructor() throws Exception {
        int functions = 0;
        for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) resources::fields) {
            if (!"AWS::Serverless::Function".equals(entry.getValue().path("Type").asText())) {
                continue;
            }
            functions++;
            String handler = entry.getValue().path("Properties").path("Handler").asText();
            assertTrue(handler.endsWith("::handleRequest"), entry.getKey() + " handler " + handler);
            Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
            assertTrue(RequestHandler.class.isAssignableFrom(type), type + " is a RequestHandler");
            type.getConstructor();
        }
        assertTrue(functions >= 4, "functions found: " + functions);
    }

    @Test
    void everyFunctionHasAnEventFileAndEveryRouteEventMatchesItsRoute() throws Exception {
        Set<String> routes = new HashSet<>();
        for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) resources::fields) {
            if (!"AWS::Serverless::Function".equals(entry.getValue().path("Type").asText())) {
                continue;
            }
            Path eventFile = events.resolve(entry.getKey() + ".json");
            assertTrue(Files.exists(eventFile), "missing " + eventFile);
            JsonNode event = Json.MAPPER.readTree(Files.readString(eventFile));
            for (JsonNode trigger : entry.getValue().path("Properties").path("Events")) {
                if (!"Api".equals(trigger.path("Type").asText())) {
                    continue;
                }
                String method = trigger.path("Properties").path("Method").asText().toUpperCase(Locale.ROOT);
                String path = trigger.path("Properties").path("Path").asText();
                if (!routes.add(method + " " + path)) {
                    fail("route served twice: " + method + " " + path);
                }
                assertEquals(method, event.path("httpMethod").asText(), eventFile.toString());
                assertEquals(path, event.path("resource").asText(), eventFile.toString());
            }
        }
        assertTrue(routes.contains("POST /oauth2/token"));
        assertTrue(routes.contains("GET /.well-known/jwks.json"));
        assertTrue(routes.contains("GET /.well-known/oauth-authorization-server"));
    }

    @Test
    void everyScheduledFunctionsEventFileIsTheInputItsScheduleSends() throws Exception {
        int schedules = 0;
        for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) resources::fields) {
            for (JsonNode trigger : entry.getValue().path("Properties").path("Events")) {
                if (!"ScheduleV2".equals(trigger.path("Type").asText())) {
                    continue;
                }
                schedules++;
                JsonNode event = Json.MAPPER.readTree(Files.readString(events.resolve(entry.getKey() + ".json")));
                assertEquals(Json.MAPPER.readTree(trigger.path("Properties").path("Input").asText()), event,
                        entry.getKey() + "'s event file is what its schedule sends");
                assertFalse(trigger.path("Properties").path("ScheduleExpression").isMissingNode(), entry.getKey());
            }
        }
        assertTrue(schedules >= 1, "the cleanup runs on a schedule");
    }

    @Test
    void everyFunctionHasItsOwnPoliciesAndNoneIsGrantedAWildcardAction() {
        for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) resources::fields) {
            if (!"AWS::Serverless::Function".equals(entry.getValue().path("Type").asText())) {
                continue;
            }
            for (JsonNode policy : entry.getValue().path("Properties").path("Policies")) {
                if (policy.isTextual()) {
                    // !Ref to a managed policy: only the template's own, whose statements are checked here too.
                    JsonNode attached = resources.path(policy.asText());
                    assertEquals("AWS::IAM::ManagedPolicy", attached.path("Type").asText(),
                            entry.getKey() + " attaches " + policy.asText() + ", which is no managed policy of the template");
                    policy = attached.path("Properties").path("PolicyDocument");
                }
                for (JsonNode statement : policy.path("Statement")) {
                    String actions = statement.path("Action").toString();
                    assertFalse(actions.contains("*"), entry.getKey() + " grants " + actions);
                    assertFalse(statement.path("Resource").asText().equals("*"), entry.getKey() + " on every resource");
                }
            }
        }
    }

    /** Types whose name is unique in an account and region, and the property that names them. */
    private static final java.util.Map<String, String> UNIQUELY_NAMED = java.util.Map.ofEntries(
            java.util.Map.entry("AWS::Serverless::Function", "FunctionName"),
            java.util.Map.entry("AWS::Lambda::Function", "FunctionName"),
            java.util.Map.entry("AWS::DynamoDB::Table", "TableName"),
            java.util.Map.entry("AWS::KMS::Alias", "AliasName"),
            java.util.Map.entry("AWS::SecretsManager::Secret", "Name"),
            java.util.Map.entry("AWS::IAM::Role", "RoleName"),
            java.util.Map.entry("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
            java.util.Map.entry("AWS::Logs::LogGroup", "LogGroupName"),
            java.util.Map.entry("AWS::Scheduler::Schedule", "Name"),
            java.util.Map.entry("AWS::Scheduler::ScheduleGroup", "Name"),
            java.util.Map.entry("AWS::Events::Rule", "Name"),
            java.util.Map.entry("AWS::SQS::Queue", "QueueName"),
            java.util.Map.entry("AWS::SNS::Topic", "TopicName"),
            java.util.Map.entry("AWS::S3::Bucket", "BucketName"),
            java.util.Map.entry("AWS::SSM::Parameter", "Name"),
            java.util.Map.entry("AWS::Serverless::Api", "Name"));
    /** Types that have no name of their own (CloudFormation or the service makes one up). */
    private static final Set<String> UNNAMED = Set.of("AWS::KMS::Key");

    @Test
    void everyNameThatMustBeUniqueInTheAccountCarriesTheStackNameSoStagingAndProductionFitInOneRegion() {
        for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) resources::fields) {
            String id = entry.getKey();
            String type = entry.getValue().path("Type").asText();
            JsonNode properties = entry.getValue().path("Properties");
            // A new resource type must be classified here before it can ship.
            assertTrue(UNIQUELY_NAMED.containsKey(type) || UNNAMED.contains(type), id + " has unclassified type " + type);
            if (UNIQUELY_NAMED.containsKey(type)) {
                assertNamedPerStackIfNamed(id, properties.path(UNIQUELY_NAMED.get(type)));
            }
            assertNamedPerStackIfNamed(id + " log group", properties.path("LoggingConfig").path("LogGroup"));
            for (var event : (Iterable<java.util.Map.Entry<String, JsonNode>>) properties.path("Events")::fields) {
                String eventType = event.getValue().path("Type").asText();
                JsonNode name = event.getValue().path("Properties").path("Name");
                if ("ScheduleV2".equals(eventType)) {
                    // SAM names the schedule after the logical ids alone when Name is missing: a second stack fails.
                    assertFalse(name.isMissingNode(), id + "'s " + event.getKey() + " needs a Name with the stack name");
                }
                assertNamedPerStackIfNamed(id + "'s " + event.getKey(), name);
            }
        }
    }

    private static void assertNamedPerStackIfNamed(String what, JsonNode name) {
        if (!name.isMissingNode()) {
            assertTrue(name.toString().contains("${AWS::StackName}"), what + " is named " + name
                    + " without ${AWS::StackName}: a second stack in the account and region would collide");
        }
    }
}
