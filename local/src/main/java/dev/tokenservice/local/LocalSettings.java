package dev.tokenservice.local;

import dev.tokenservice.local.data.DataFolder;
import dev.tokenservice.local.failure.StartupException;
import dev.tokenservice.local.template.Intrinsics;
import dev.tokenservice.local.template.TemplateModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings the functions read (dev.tokenservice.config.Settings), made for this machine: what the
 * template gives every function, with local stand-ins for what exists only in AWS. They become system
 * properties, which Settings reads after the environment; a variable the environment already defines
 * wins, so a developer can point one piece at something else (a KMS emulator, another table name).
 */
final class LocalSettings {

    /**
     * Template variables the runner does not take over: the Lambda JVM's flags mean nothing here, and the
     * signing key and the pepper are the runner's own (files in the data folder, or a KMS emulator's key).
     */
    private static final Set<String> NOT_FROM_TEMPLATE = Set.of("JAVA_TOOL_OPTIONS", "KMS_SIGNING_KEY_ID", "SECRET_PEPPER_ARN",
            "KMS_SEALING_KEY_ID", "KEY_WRAPPING_KEY_ID");

    private final Function<String, String> environment;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> tableNames = new LinkedHashMap<>();

    private LocalSettings(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * @param dynamoDbEndpoint the embedded DynamoDB's URL, or null when the environment names its own
     */
    static LocalSettings of(TemplateModel template, DataFolder data, String dynamoDbEndpoint,
            Function<String, String> environment) {
        return of(template, null, data, dynamoDbEndpoint, environment);
    }

    /**
     * @param functionId the one function to take the template's environment of (local invoke); null for the
     *                   merged environment of every function (the runner)
     */
    static LocalSettings of(TemplateModel template, String functionId, DataFolder data, String dynamoDbEndpoint,
            Function<String, String> environment) {
        LocalSettings settings = new LocalSettings(environment);
        settings.propose("AWS_REGION", Intrinsics.LOCAL_REGION);
        if (environment.apply("AWS_ACCESS_KEY_ID") == null) {
            // DynamoDB Local and emulators accept any credentials; real ones are never needed, never sent.
            settings.propose("aws.accessKeyId", "local");
            settings.propose("aws.secretAccessKey", "local");
        }
        if (dynamoDbEndpoint != null) {
            settings.propose("AWS_ENDPOINT_URL_DYNAMODB", dynamoDbEndpoint);
        }
        settings.nameTables(template);
        (functionId == null ? template.functionEnvironment(settings.tableNames)
                : template.functionEnvironment(functionId, settings.tableNames)).forEach((name, value) -> {
            if (!NOT_FROM_TEMPLATE.contains(name)) {
                settings.propose(name, value);
            }
        });
        settings.propose("LOCAL_SIGNING_KEY_FILE", data.signingKey().toString());
        settings.propose("SECRET_PEPPER_FILE", data.pepper().toString());
        // On AWS the cleanup leaves expired rows to DynamoDB's TTL (free) for days; here a write costs nothing, so
        // it removes them a minute after their expiry, as it would without TTL.
        settings.propose("CLEANUP_TTL_GRACE_SECONDS", "60");
        settings.propose("LOCAL_SEALING_KEY_FILE", data.sealingKey().toString());
        // A private_key_jwt client under development publishes its keys on this machine.
        settings.propose("JWKS_URI_LOOPBACK_HTTP", "true");
        String keySpec = template.parameters().get("SigningKeySpec");
        if (keySpec != null) {
            // The local key signs with the algorithm the deployed KMS key's spec would give.
            settings.propose("SIGNING_ALGORITHM", keySpec.startsWith("ECC") ? "ES256" : "RS256");
        }
        return settings;
    }

    /**
     * Each table is named after its logical id, unless the environment already names it through the
     * variable the template binds to it (CLIENTS_TABLE for ClientsTable, say).
     */
    private void nameTables(TemplateModel template) {
        template.tableIds().forEach(id -> tableNames.put(id, id));
        template.variablesReferencing(TemplateModel.TABLE_TYPE).forEach((variable, id) -> {
            String fromEnvironment = environment.apply(variable);
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                tableNames.put(id, fromEnvironment.trim());
            }
        });
    }

    /** Logical id of each table to the name it has locally. */
    Map<String, String> tableNames() {
        return tableNames;
    }

    /**
     * Fixes the issuer to the URL the runner prints unless the template's Issuer parameter or the
     * environment gives one: otherwise it would follow the Host header, and a token fetched from
     * localhost would be refused by a call to 127.0.0.1.
     */
    void fixIssuer(String url) {
        String configured = effective("ISSUER");
        if (configured == null || configured.isBlank()) {
            values.put("ISSUER", url);
        }
    }

    /**
     * Sends sign-ins to the development sign-in page unless the template's LoginUrl parameter or the environment
     * names a login front end, or an upstream identity provider signs people in (UpstreamIssuerUrl), so that the
     * OpenID flow works in a browser from a fresh clone.
     */
    void fixLoginUrl(String url) {
        String configured = effective("LOGIN_URL");
        String upstream = effective("UPSTREAM_ISSUER_URL");
        if ((configured == null || configured.isBlank()) && (upstream == null || upstream.isBlank())) {
            values.put("LOGIN_URL", url);
        }
    }

    /** Sets a value unless the environment or a system property already has one. */
    void propose(String name, String value) {
        if (environment.apply(name) == null && System.getProperty(name) == null) {
            values.put(name, value);
        }
    }

    /**
     * Sets a value over whatever this runner proposed or a system property holds (`--env-vars`). The
     * process environment cannot be changed from inside the JVM and Settings reads it first, so a
     * variable set there with another value is refused rather than silently winning.
     */
    void override(String name, String value) {
        String fromEnvironment = environment.apply(name);
        if (fromEnvironment != null && !fromEnvironment.equals(value)) {
            throw new StartupException(name + " is set in your shell's environment to another value than the one"
                    + " given for it; unset it there (unset " + name + ") or drop it from the file");
        }
        values.put(name, value);
    }

    /** The value the functions will see: the environment's, else a system property, else this runner's. */
    String effective(String name) {
        String fromEnvironment = environment.apply(name);
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        return System.getProperty(name, values.get(name));
    }

    void apply() {
        values.forEach(System::setProperty);
    }
}
