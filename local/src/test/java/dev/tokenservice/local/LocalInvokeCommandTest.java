package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local invoke as a script or a developer runs it: `java ... LocalServer invoke ...` in a process of its
 * own, judged by its exit status, its standard output (the response alone) and its standard error (the
 * logs), on a data folder no runner serves.
 */
class LocalInvokeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATE = LocalOptions.findTemplate(Path.of(""));
    private static final Path EVENTS = TEMPLATE.getParent().resolve("events");
    private static final long LIMIT_SECONDS = 180;

    @TempDir
    Path data;

    @Test
    void theBootstrapAdminIsPrintedOnceAndItsSecretGetsATokenFromTheSameFolder() throws Exception {
        // WHEN the bootstrap function is invoked on a fresh data folder, without an event (so {})
        Result first = invoke(null, "BootstrapAdminFunction");

        // THEN the new admin's credentials are the whole of standard output
        assertEquals(0, first.status(), first.stderr());
        JsonNode admin = JSON.readTree(first.stdout());
        assertEquals(1, first.stdout().strip().lines().count(), first.stdout());
        assertTrue(admin.path("created").asBoolean(), admin.toString());
        String clientId = admin.path("client_id").asText();
        String secret = admin.path("client_secret").asText();
        assertFalse(secret.isEmpty());
        assertFalse(first.stderr().contains(secret), "the secret is not logged");

        // AND invoked again, it creates nothing and shows no secret
        Result second = invoke(null, "BootstrapAdminFunction");
        assertEquals(0, second.status(), second.stderr());
        JsonNode again = JSON.readTree(second.stdout());
        assertFalse(again.path("created").asBoolean(), again.toString());
        assertFalse(again.has("client_secret"));

        // AND the token function, given events/IssueTokenFunction.json with those credentials on standard
        // input, issues a token for them: the folder kept the admin, its pepper and the signing key
        ObjectNode event = (ObjectNode) JSON.readTree(EVENTS.resolve("IssueTokenFunction.json").toFile());
        String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        ((ObjectNode) event.path("headers")).put("Authorization", basic);
        ((ObjectNode) event.path("multiValueHeaders")).putArray("Authorization").add(basic);
        event.put("body", "grant_type=client_credentials");
        Result issued = invoke(JSON.writeValueAsString(event), "IssueTokenFunction", "-e", "-");
        assertEquals(0, issued.status(), issued.stderr());
        JsonNode response = JSON.readTree(issued.stdout());
        assertEquals(200, response.path("statusCode").asInt(), response.toString());
        JsonNode token = JSON.readTree(response.path("body").asText());
        assertFalse(token.path("access_token").asText().isEmpty());
        assertEquals(3600, token.path("expires_in").asInt(), "the template's AccessTokenTtlSeconds default");
    }

    @Test
    void parameterOverridesAndAnEnvVarsFileSetTheFunctionsEnvironmentAsSamDoes() throws Exception {
        Result bootstrap = invoke(null, "BootstrapAdminFunction");
        assertEquals(0, bootstrap.status(), bootstrap.stderr());
        JsonNode admin = JSON.readTree(bootstrap.stdout());
        Path event = data.resolve("issue.json");
        ObjectNode issue = (ObjectNode) JSON.readTree(EVENTS.resolve("IssueTokenFunction.json").toFile());
        issue.put("body", "grant_type=client_credentials&client_id=" + admin.path("client_id").asText()
                + "&client_secret=" + admin.path("client_secret").asText());
        ((ObjectNode) issue.path("headers")).remove("Authorization");
        ((ObjectNode) issue.path("multiValueHeaders")).remove("Authorization");
        JSON.writeValue(event.toFile(), issue);

        // WHEN a template parameter is overridden, the way sam local invoke takes it
        Result overridden = invoke(null, "IssueTokenFunction", "-e", event.toString(),
                "--parameter-overrides", "AccessTokenTtlSeconds=120 StageName=live");
        // THEN the function's environment follows the template with that value
        assertEquals(120, expiresIn(overridden));

        // WHEN an env-vars file sets the variable for this function (and one the template does not declare)
        Path envVars = data.resolve("env.json");
        Files.writeString(envVars, """
                {"Parameters": {"ACCESS_TOKEN_TTL_SECONDS": "600", "NOT_IN_THE_TEMPLATE": "x"},
                 "IssueTokenFunction": {"ACCESS_TOKEN_TTL_SECONDS": 90}}""");
        Result withFile = invoke(null, "IssueTokenFunction", "-e", event.toString(), "--env-vars", envVars.toString(),
                "--parameter-overrides", "ParameterKey=AccessTokenTtlSeconds,ParameterValue=120");
        // THEN the function's own section wins over Parameters and over the template, and the undeclared one is left out
        assertEquals(90, expiresIn(withFile));
        assertTrue(withFile.stderr().contains("NOT_IN_THE_TEMPLATE is left out"), withFile.stderr());
    }

    @Test
    void aHandlerThatThrowsGivesANonZeroExitAndLambdasErrorObject(@TempDir Path templates) throws Exception {
        // GIVEN a template whose function's handler throws
        Path template = templates.resolve("template.yaml");
        Files.writeString(template, """
                AWSTemplateFormatVersion: '2010-09-09'
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  FailingFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: dev.tokenservice.local.ThrowingHandler::handleRequest
                      Runtime: java21
                """);

        // WHEN it is invoked with an event on standard input
        Result failed = invoke("{\"name\": \"the test\"}", "FailingFunction", "-e", "-", "--template", template.toString());

        // THEN the exit status says the function failed, stdout carries Lambda's error object, stderr says why
        assertEquals(LocalInvoke.FUNCTION_FAILED, failed.status(), failed.stderr());
        JsonNode error = JSON.readTree(failed.stdout());
        assertEquals("java.lang.IllegalStateException", error.path("errorType").asText());
        assertEquals("failing on purpose for the test", error.path("errorMessage").asText(),
                "the event reached the handler as its Map");
        assertTrue(failed.stderr().contains("failing on purpose"), failed.stderr());
        assertFalse(failed.stdout().contains("\tat "), "no stack trace");
    }

    @Test
    void anUnknownFunctionOrABrokenEventIsRefusedWithoutRunningAnything() throws Exception {
        Result unknown = invoke(null, "NoSuchFunction");
        assertEquals(LocalInvoke.COULD_NOT_RUN, unknown.status());
        assertTrue(unknown.stderr().contains("no function NoSuchFunction") && unknown.stderr().contains("IssueTokenFunction"),
                unknown.stderr());
        assertEquals("", unknown.stdout());

        Result notJson = invoke("{not json", "GetJwksFunction", "-e", "-");
        assertEquals(LocalInvoke.COULD_NOT_RUN, notJson.status());
        assertTrue(notJson.stderr().contains("is not JSON"), notJson.stderr());
        assertEquals("", notJson.stdout());
    }

    private static int expiresIn(Result result) throws Exception {
        assertEquals(0, result.status(), result.stderr());
        JsonNode response = JSON.readTree(result.stdout());
        assertEquals(200, response.path("statusCode").asInt(), response.toString());
        return JSON.readTree(response.path("body").asText()).path("expires_in").asInt();
    }

    record Result(int status, String stdout, String stderr) {
    }

    /** Runs the command in a JVM of its own, the test's classpath, no AWS or service settings from outside. */
    private Result invoke(String stdin, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                LocalServer.class.getName(), "invoke"));
        command.addAll(List.of(arguments));
        if (!command.contains("--template")) {
            command.addAll(List.of("--template", TEMPLATE.toString()));
        }
        command.addAll(List.of("--data", data.resolve("local-data").toString()));
        Path out = Files.createTempFile(data, "stdout", ".txt");
        Path err = Files.createTempFile(data, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("AWS_") || name.endsWith("_TABLE") || name.startsWith("KMS_")
                || name.startsWith("SECRET_PEPPER") || name.equals("ISSUER") || name.equals("ACCESS_TOKEN_TTL_SECONDS"));
        Process process = builder.start();
        try (var input = process.getOutputStream()) {
            if (stdin != null) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            throw new AssertionError("invoke " + String.join(" ", arguments) + " did not end within " + LIMIT_SECONDS
                    + " s:\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
