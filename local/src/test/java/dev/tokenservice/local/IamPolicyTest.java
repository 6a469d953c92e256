package dev.tokenservice.local;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tokenservice.local.template.CloudFormationYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, proven from the suites: every AWS call the functions module's tests and this module's
 * runners made, attributed to the function whose handler made it (the shared test jar's AwsCallRecorder
 * writes them to target/aws-calls), held against that function's policy in template.yaml: its own statements
 * and those of the template's managed policies it attaches. A call the policy does not allow would fail after
 * `sam deploy`; an action the policy allows that no test performed is privilege nobody showed a need for. Functions are read from the template, so new ones are covered as they
 * arrive. This test runs after the module's other tests (its own surefire execution, see pom.xml), and reads
 * the functions module's records, so it belongs to a full build (`mvn install`).
 */
class IamPolicyTest {

    private static final String ISSUER_CLEANUP = "AccessTokenIssuer removes a row whose store timed out or whose "
            + "signing failed; DependencyFaultsTest exercises that shared code through IssueTokenFunction only";
    private static final String ISSUES_WITH_KMS = "issues through AccessTokenIssuer as AgilicusCreateTokenFunction "
            + "does (recorded with KMS); the reissue handler tests sign with the local key";
    private static final String PEPPER_ON_FIRST_HASH = "the pepper is read on the first secret hashed, which in KMS/"
            + "Secrets Manager wiring only a successful create, regenerate or rotation does; the handler tests use an inline pepper";
    private static final String KNETIK_GET = "hands back a stored token (Decrypt its sealed value, Sign it again); "
            + "only the handler tests store one, with the local sealing key and signer";
    private static final String UPSTREAM_SESSION = "mints the session of a sign-in at the upstream provider as "
            + "CreateSessionFunction does; the upstream sign-in tests sign with the local key, and the production-wired "
            + "run's event reaches a stack without an upstream provider";
    private static final String CLIENT_CURSOR = "a page asked for by client id alone (no created_on) reads that "
            + "client for its created_on; no handler test pages that way";

    /** Allowed actions no test performs, each with why the function needs it anyway. Keep it short. */
    private static final Map<String, String> ALLOWED_BUT_NOT_EXERCISED = Map.ofEntries(
            Map.entry("AgilicusCreateTokenFunction dynamodb:DeleteItem", ISSUER_CLEANUP),
            Map.entry("AgilicusReissueTokenFunction dynamodb:DeleteItem", ISSUER_CLEANUP),
            Map.entry("AgilicusReissueTokenFunction kms:Sign", ISSUES_WITH_KMS),
            Map.entry("AgilicusReissueTokenFunction kms:Decrypt", ISSUES_WITH_KMS),
            Map.entry("AgilicusReissueTokenFunction kms:GenerateDataKey", ISSUES_WITH_KMS),
            Map.entry("AuthorizeFunction dynamodb:GetItem",
                    "wrapped mode: the key ring, read to verify a signed-in user's token, as kms:GetPublicKey below"),
            Map.entry("AuthorizeFunction kms:GetPublicKey",
                    "verifies a signed-in user's token (CallerAuthenticator); the handler tests sign locally and "
                            + "the production-wired run's event has no session"),
            Map.entry("CreateClientFunction secretsmanager:GetSecretValue", PEPPER_ON_FIRST_HASH),
            Map.entry("RegenerateClientSecretFunction secretsmanager:GetSecretValue", PEPPER_ON_FIRST_HASH),
            Map.entry("RotateClientSecretFunction secretsmanager:GetSecretValue", PEPPER_ON_FIRST_HASH),
            Map.entry("EndSessionFunction dynamodb:UpdateItem",
                    "a GET carrying the confirmation form's ticket, or an id_token_hint without sid, ends the user's "
                            + "tokens by a conditional UpdateItem; the tests confirm by POST, and ID tokens carry sid"),
            Map.entry("DeleteClientFunction dynamodb:DeleteItem",
                    "ConsentCleanup deletes the deleted client's consents; no handler test deletes a client that has one"),
            Map.entry("FinishUpstreamSignInFunction kms:Sign", UPSTREAM_SESSION),
            Map.entry("FinishUpstreamSignInFunction kms:Decrypt", UPSTREAM_SESSION),
            Map.entry("KnetikGetTokenFunction kms:Sign", KNETIK_GET),
            Map.entry("KnetikGetTokenFunction kms:Decrypt", KNETIK_GET),
            Map.entry("ListClientsFunction dynamodb:GetItem", CLIENT_CURSOR),
            Map.entry("ListClientsInfoFunction dynamodb:GetItem", CLIENT_CURSOR));

    private static final Path TEMPLATE = LocalOptions.findTemplate(Path.of(""));
    private static final List<Path> RECORDS = List.of(
            TEMPLATE.getParent().resolve("functions/target/aws-calls"),
            TEMPLATE.getParent().resolve("local/target/aws-calls"));

    private static Map<String, List<Grant>> policies;
    private static Map<String, Set<Call>> performed;
    private static Map<String, String> logicalNames;
    private static List<String> violations;
    private static Set<String> resourceIds;

    @BeforeAll
    static void readTemplateAndRecords() throws IOException {
        Map<String, Object> template = CloudFormationYaml.parse(Files.readString(TEMPLATE), TEMPLATE.toString());
        Map<?, ?> resources = (Map<?, ?>) template.get("Resources");
        resourceIds = new TreeSet<>();
        resources.keySet().forEach(id -> resourceIds.add(id.toString()));
        policies = new TreeMap<>();
        resources.forEach((id, resource) -> {
            Map<?, ?> definition = (Map<?, ?>) resource;
            if ("AWS::Serverless::Function".equals(definition.get("Type"))) {
                Object declared = ((Map<?, ?>) definition.get("Properties")).get("Policies");
                policies.put(id.toString(), grants(id.toString(), declared, resources));
            }
        });

        performed = new TreeMap<>();
        logicalNames = new HashMap<>();
        violations = new ArrayList<>();
        for (Path folder : RECORDS) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    for (String line : Files.readAllLines(file)) {
                        String[] fields = line.split("\t", 3);
                        if (fields.length < 3) {
                            continue;
                        }
                        if (fields[0].equals("=")) {
                            logicalNames.put(fields[1], fields[2]);
                        } else if (fields[1].equals("VIOLATION")) {
                            violations.add(fields[2]);
                        } else {
                            performed.computeIfAbsent(fields[0], f -> new LinkedHashSet<>()).add(new Call(fields[1], fields[2]));
                        }
                    }
                }
            }
        }
        assertTrue(Files.isDirectory(RECORDS.get(0)) && !performed.isEmpty(),
                "no AWS calls recorded in " + RECORDS.get(0) + ": run the whole build (mvn install), the functions "
                        + "module's tests record what each function calls");
    }

    @Test
    void everyCallAFunctionMadeIsAllowedByItsPolicyOnTheResourceItTargeted() {
        Set<String> denied = new TreeSet<>();
        Set<String> unnamed = new TreeSet<>();
        performed.forEach((function, calls) -> {
            List<Grant> grants = policies.get(function);
            if (grants == null) {
                denied.add(function + " is not a function of the template");
                return;
            }
            for (Call call : calls) {
                String target = logical(call.resource());
                if (target == null) {
                    if (call.action().startsWith("dynamodb:")) {
                        unnamed.add(function + " " + call);
                    }
                    if (grants.stream().noneMatch(g -> g.allowsAction(call.action()))) {
                        denied.add(function + ": " + call.action() + " (on " + call.resource() + ")");
                    }
                } else if (grants.stream().noneMatch(g -> g.allows(call.action(), target))) {
                    denied.add(function + ": " + call.action() + " on " + target);
                }
            }
        });
        assertTrue(unnamed.isEmpty(), "calls on tables the tests did not name (make them with DynamoDbLocal.freshTables): " + unnamed);
        assertTrue(denied.isEmpty(), "performed in the tests but not allowed by template.yaml:\n  " + String.join("\n  ", denied));
    }

    @Test
    void everyActionAPolicyAllowsWasPerformedByItsFunctionOnEveryResourceOfTheTemplateItNames() {
        Set<String> unused = new TreeSet<>();
        policies.forEach((function, grants) -> {
            Set<Call> calls = performed.getOrDefault(function, Set.of());
            for (Grant grant : grants) {
                for (String action : grant.actions()) {
                    for (String resource : grant.resources()) {
                        String table = resource.endsWith("/index/*") ? resource.substring(0, resource.length() - 8) : resource;
                        if (!resourceIds.contains(table)) {
                            continue; // a parameter's ARN (a rotation's other keys): its actions are those on SigningKey
                        }
                        boolean used = calls.stream().anyMatch(c -> c.action().equals(action)
                                && Grant.matches(resource, logical(c.resource())));
                        if (!used && !ALLOWED_BUT_NOT_EXERCISED.containsKey(function + " " + action)) {
                            unused.add(function + ": " + action + " on " + resource);
                        }
                    }
                }
            }
        });
        assertTrue(unused.isEmpty(), "allowed by template.yaml but never performed in the tests (remove it, test it, or "
                + "list it with the reason in ALLOWED_BUT_NOT_EXERCISED):\n  " + String.join("\n  ", unused));
    }

    @Test
    void theRunnersTheTestsStartedBrokeNoStorageRule() {
        assertTrue(violations.isEmpty(), "request-level storage rules broken in a runner: " + violations);
    }

    /** The template resource a recorded physical name stands for, or null when no test named it. */
    private static String logical(String physical) {
        if (physical == null) {
            return null;
        }
        int index = physical.indexOf("/index/");
        if (index > 0) {
            String table = logical(physical.substring(0, index));
            return table == null ? null : table + physical.substring(index);
        }
        String named = logicalNames.get(physical);
        if (named != null) {
            return named;
        }
        return resourceIds.contains(physical) ? physical : null;
    }

    // --- template.yaml policies ---------------------------------------------------------------------------

    /**
     * A function's grants: its own statements, the statements of the template's managed policies it attaches
     * (`!Ref SomePolicy`), and the SAM policy templates this test expands.
     */
    private static List<Grant> grants(String function, Object declared, Map<?, ?> resources) {
        List<Grant> grants = new ArrayList<>();
        if (declared == null) {
            return grants;
        }
        for (Object policy : declared instanceof List<?> list ? list : List.of(declared)) {
            if (policy instanceof Map<?, ?> map && map.containsKey("Statement")) {
                grants.addAll(statementGrants(map));
            } else if (policy instanceof Map<?, ?> map && map.size() == 1 && map.get("Ref") instanceof String id) {
                grants.addAll(statementGrants(managedPolicyDocument(function, id, resources)));
            } else if (policy instanceof Map<?, ?> map && map.size() == 1) {
                var entry = map.entrySet().iterator().next();
                grants.addAll(SamPolicyTemplates.expand(function, entry.getKey().toString(), (Map<?, ?>) entry.getValue()));
            } else {
                fail(function + ": policy " + policy + " is neither a statement list, a managed policy of the "
                        + "template nor a SAM policy template this test expands");
            }
        }
        return grants;
    }

    /** The policy document of the template's AWS::IAM::ManagedPolicy a function attaches by !Ref. */
    private static Map<?, ?> managedPolicyDocument(String function, String id, Map<?, ?> resources) {
        if (!(resources.get(id) instanceof Map<?, ?> resource) || !"AWS::IAM::ManagedPolicy".equals(resource.get("Type"))) {
            fail(function + " attaches " + id + ", which is no AWS::IAM::ManagedPolicy of the template: its "
                    + "statements cannot be held against the recorded calls");
            return Map.of();
        }
        return (Map<?, ?>) ((Map<?, ?>) resource.get("Properties")).get("PolicyDocument");
    }

    private static List<Grant> statementGrants(Map<?, ?> document) {
        List<Grant> grants = new ArrayList<>();
        for (Object statement : (List<?>) document.get("Statement")) {
            for (Object branch : branches(statement)) {
                if (branch instanceof Map<?, ?> allow && "Allow".equals(allow.get("Effect"))) {
                    grants.add(new Grant(strings(allow.get("Action")), resources(allow.get("Resource"))));
                }
            }
        }
        return grants;
    }

    /** Both branches of an Fn::If (a test must cover either deployment); AWS::NoValue drops out. */
    private static List<Object> branches(Object value) {
        if (value instanceof Map<?, ?> map && map.containsKey("Fn::If")) {
            List<?> arguments = (List<?>) map.get("Fn::If");
            List<Object> both = new ArrayList<>(branches(arguments.get(1)));
            both.addAll(branches(arguments.get(2)));
            return both;
        }
        if (value instanceof Map<?, ?> map && "AWS::NoValue".equals(map.get("Ref"))) {
            return List.of();
        }
        return List.of(value);
    }

    private static Set<String> strings(Object value) {
        Set<String> result = new TreeSet<>();
        for (Object item : value instanceof List<?> list ? list : List.of(value)) {
            result.add(item.toString());
        }
        return result;
    }

    /** Resource expressions as template ids: !GetAtt X.Arn and !Ref X are X, !Sub ${X.Arn}/index/* is X/index/*. */
    static Set<String> resources(Object value) {
        Set<String> result = new TreeSet<>();
        for (Object item : value instanceof List<?> list ? list : List.of(value)) {
            for (Object branch : branches(item)) {
                if (branch instanceof List<?> nested) {
                    result.addAll(resources(nested));
                } else if (branch instanceof Map<?, ?> map && map.containsKey("Fn::GetAtt")) {
                    result.add(((List<?>) map.get("Fn::GetAtt")).get(0).toString());
                } else if (branch instanceof Map<?, ?> map && map.containsKey("Ref")) {
                    result.add(map.get("Ref").toString());
                } else if (branch instanceof Map<?, ?> map && map.get("Fn::Sub") instanceof String sub) {
                    result.add(sub.replaceAll("\\$\\{([A-Za-z0-9]+)(\\.Arn)?}", "$1"));
                } else if (branch instanceof String text) {
                    result.add(text);
                } else {
                    fail("resource expression this test cannot read: " + branch);
                }
            }
        }
        return result;
    }

    record Call(String action, String resource) {
        @Override
        public String toString() {
            return action + " on " + resource;
        }
    }

    /** One Allow statement: its actions on its resources (template ids, X/index/* or *). */
    record Grant(Set<String> actions, Set<String> resources) {

        boolean allowsAction(String action) {
            return actions.stream().anyMatch(a -> a.equals(action) || a.endsWith(":*")
                    && action.startsWith(a.substring(0, a.length() - 1)) || a.equals("*"));
        }

        boolean allows(String action, String target) {
            return allowsAction(action) && resources.stream().anyMatch(r -> matches(r, target));
        }

        static boolean matches(String resource, String target) {
            if (target == null) {
                return false;
            }
            if (resource.equals("*") || resource.equals(target)) {
                return true;
            }
            return resource.endsWith("/index/*") && target.startsWith(resource.substring(0, resource.length() - 1));
        }
    }

    /** The SAM policy templates this test knows, expanded as SAM's policy_templates.json does. */
    private static final class SamPolicyTemplates {

        private static final List<String> DYNAMODB_READ = List.of("dynamodb:GetItem", "dynamodb:Scan",
                "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable");
        private static final List<String> DYNAMODB_WRITE = List.of("dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem");
        private static final List<String> DYNAMODB_CRUD = List.of("dynamodb:GetItem", "dynamodb:DeleteItem",
                "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem");

        static List<Grant> expand(String function, String name, Map<?, ?> parameters) {
            return switch (name) {
                case "DynamoDBCrudPolicy" -> table(parameters, DYNAMODB_CRUD);
                case "DynamoDBReadPolicy" -> table(parameters, DYNAMODB_READ);
                case "DynamoDBWritePolicy" -> List.of(new Grant(Set.copyOf(DYNAMODB_WRITE), resources(parameters.get("TableName"))));
                case "KMSDecryptPolicy" -> List.of(new Grant(Set.of("kms:Decrypt"), resources(parameters.get("KeyId"))));
                case "KMSEncryptPolicy" -> List.of(new Grant(Set.of("kms:Encrypt"), resources(parameters.get("KeyId"))));
                case "AWSSecretsManagerGetSecretValuePolicy" ->
                        List.of(new Grant(Set.of("secretsmanager:GetSecretValue"), resources(parameters.get("SecretArn"))));
                default -> {
                    fail(function + " uses the SAM policy template " + name + ": add its expansion to IamPolicyTest");
                    yield List.of();
                }
            };
        }

        private static List<Grant> table(Map<?, ?> parameters, List<String> actions) {
            Set<String> tables = resources(parameters.get("TableName"));
            Set<String> withIndexes = new TreeSet<>(tables);
            tables.forEach(t -> withIndexes.add(t + "/index/*"));
            return List.of(new Grant(Set.copyOf(actions), withIndexes));
        }
    }
}
