package dev.tokenservice.config;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Builds the SDK clients once per container: url-connection HTTP (smallest cold start), the region from
 * the environment (never hard-coded), credentials without probing the whole default chain, and an
 * endpoint override where one is configured (DynamoDB Local, moto).
 */
public final class AwsClients {

    private final Settings settings;
    private final SdkHttpClient httpClient;
    private final AwsCredentialsProvider credentials;

    public AwsClients(Settings settings) {
        this.settings = settings;
        this.httpClient = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(5))
                .build();
        this.credentials = credentialsFor(settings);
    }

    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "DYNAMODB").httpClient(httpClient).build();
    }

    public KmsClient kms() {
        return configure(KmsClient.builder(), "KMS").httpClient(httpClient).build();
    }

    public SecretsManagerClient secretsManager() {
        return configure(SecretsManagerClient.builder(), "SECRETSMANAGER").httpClient(httpClient).build();
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(Region.of(settings.region().orElseThrow(
                        () -> new IllegalStateException("missing setting AWS_REGION"))))
                .credentialsProvider(credentials)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(10))
                        .build());
        settings.endpointFor(service).map(URI::create).ifPresent(builder::endpointOverride);
        return builder;
    }

    private static AwsCredentialsProvider credentialsFor(Settings settings) {
        // SnapStart functions get container credentials instead of key environment variables.
        if (settings.optional("AWS_CONTAINER_CREDENTIALS_FULL_URI").isPresent()) {
            return ContainerCredentialsProvider.builder().build();
        }
        if (settings.optional("AWS_ACCESS_KEY_ID").isPresent() || settings.optional("aws.accessKeyId").isPresent()) {
            return AwsCredentialsProviderChain.of(
                    EnvironmentVariableCredentialsProvider.create(), SystemPropertyCredentialsProvider.create());
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
