package dev.tokenservice.storage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

/**
 * Creates tables exactly as template.yaml declares them (keys, attribute types, indexes), so that
 * DynamoDB Local in tests and in the local runner has the same shape as production. The caller parses
 * the template; this class reads the tree of one AWS::DynamoDB::Table's Properties.
 */
public final class TableDefinitions {

    private TableDefinitions() {
    }

    /** Creates every table, named by the given logical-id → table-name map, unless it exists. */
    public static void createAll(DynamoDbClient dynamoDb, JsonNode templateResources, Map<String, String> names) {
        names.forEach((logicalId, tableName) -> {
            JsonNode properties = templateResources.path(logicalId).path("Properties");
            if (properties.isMissingNode()) {
                throw new IllegalArgumentException("template has no table " + logicalId);
            }
            try {
                dynamoDb.createTable(createRequest(tableName, properties));
            } catch (ResourceInUseException alreadyThere) {
                // A persisted local data folder keeps its tables across restarts.
            }
        });
    }

    public static CreateTableRequest createRequest(String tableName, JsonNode properties) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        properties.path("AttributeDefinitions").forEach(a -> attributes.add(AttributeDefinition.builder()
                .attributeName(a.path("AttributeName").asText())
                .attributeType(a.path("AttributeType").asText())
                .build()));
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        properties.path("GlobalSecondaryIndexes").forEach(index -> indexes.add(GlobalSecondaryIndex.builder()
                .indexName(index.path("IndexName").asText())
                .keySchema(keySchema(index.path("KeySchema")))
                .projection(Projection.builder()
                        .projectionType(index.path("Projection").path("ProjectionType").asText("ALL"))
                        .nonKeyAttributes(texts(index.path("Projection").path("NonKeyAttributes")))
                        .build())
                .build()));
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(tableName)
                .attributeDefinitions(attributes)
                .keySchema(keySchema(properties.path("KeySchema")))
                .billingMode(BillingMode.PAY_PER_REQUEST);
        if (!indexes.isEmpty()) {
            request.globalSecondaryIndexes(indexes);
        }
        return request.build();
    }

    private static List<KeySchemaElement> keySchema(JsonNode keys) {
        List<KeySchemaElement> elements = new ArrayList<>();
        keys.forEach(k -> elements.add(KeySchemaElement.builder()
                .attributeName(k.path("AttributeName").asText())
                .keyType(k.path("KeyType").asText())
                .build()));
        return elements;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values.isEmpty() ? null : values;
    }
}
