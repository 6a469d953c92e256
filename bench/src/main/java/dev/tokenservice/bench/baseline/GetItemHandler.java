package dev.tokenservice.bench.baseline;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The cold-start baseline: a handler that does one DynamoDB GetItem the way the AWS samples do (enhanced client,
 * bean table schema, Apache HTTP client, default credential chain, clients built in static fields), and returns
 * the item as a small hand-written JSON body. Nothing of token-service is used.
 */
public class GetItemHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private static final DynamoDbClient DDB = DynamoDbClient.builder()
            .region(Region.of(System.getenv("AWS_REGION")))
            .credentialsProvider(DefaultCredentialsProvider.create())
            .httpClientBuilder(ApacheHttpClient.builder())
            .build();
    private static final DynamoDbEnhancedClient ENHANCED = DynamoDbEnhancedClient.builder().dynamoDbClient(DDB).build();
    private static final DynamoDbTable<ClientBean> TABLE =
            ENHANCED.table(System.getenv("CLIENTS_TABLE"), TableSchema.fromBean(ClientBean.class));

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        String id = event.getPathParameters().get("id");
        ClientBean item = TABLE.getItem(Key.builder().partitionValue(id).build());
        if (item == null) {
            return new APIGatewayProxyResponseEvent().withStatusCode(404).withBody("{\"message\":\"not found\"}");
        }
        return new APIGatewayProxyResponseEvent()
                .withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody("{\"client_id\":\"" + item.getClientId() + "\",\"name\":\"" + item.getName()
                        + "\",\"enabled\":" + item.getEnabled() + "}");
    }
}
