package dev.tokenservice.tokens;

import dev.tokenservice.config.AwsClients;
import dev.tokenservice.config.Settings;
import dev.tokenservice.storage.Tables;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * One-off upgrade of a tokens table written before the sharded indexes: gives every access token that lacks them
 * its subject_shard (and org_shard) attributes, so DynamoDB puts it on subject-shard-issued-index (and
 * org-shard-issued-index), and writes the pair record its Knetik lists page through. It walks the listing index
 * (Query, never Scan: the old AT#0..AT#7 partitions are among the new AT#0..AT#15), skips expired tokens and
 * rows already done, and can run again after an interruption. Each token costs one conditional UpdateItem (its
 * row plus the new index entries) and each pair at most one more. Run it once after deploying this version:
 * {@code AWS_REGION=... TOKENS_TABLE=<the stack's tokens table> java -cp <functions jar> dev.tokenservice.tokens.IndexBackfill}
 */
public final class IndexBackfill {

    private final Tables tables;
    private final TokenPairs pairs;

    public IndexBackfill(Tables tables) {
        this.tables = tables;
        this.pairs = new TokenPairs(tables);
    }

    /** The counts of tokens given their shards and of live tokens seen. */
    public record Result(long updated, long seen) {
    }

    public Result run(long nowEpochSecond) {
        long updated = 0;
        long seen = 0;
        for (int shard = 0; shard < TokenKeys.SHARDS; shard++) {
            var request = QueryEnhancedRequest.builder()
                    .queryConditional(QueryConditional.keyEqualTo(Key.builder().partitionValue(TokenKeys.listShard(shard)).build()))
                    .build();
            for (Page<TokenItem> page : tables.of(TokenSchema.TABLE).index(TokenSchema.TOKENS_LISTED).query(request)) {
                for (TokenItem token : page.items()) {
                    if (token.getExpiresAt() == null || token.getExpiresAt() <= nowEpochSecond || token.getSubject() == null) {
                        continue;
                    }
                    seen++;
                    if (token.getSubjectShard() == null && addShards(token)) {
                        updated++;
                    }
                    if (token.getClientId() != null && token.getIssuedAt() != null && pairs.due(token)) {
                        pairs.record(token);
                    }
                }
            }
        }
        return new Result(updated, seen);
    }

    private boolean addShards(TokenItem token) {
        String jti = token.getTokenKey().substring(TokenKeys.accessToken("").length());
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":subject", AttributeValue.fromS(TokenKeys.subjectShard(token.getSubject(), jti)));
        if (token.getOrg() != null) {
            values.put(":org", AttributeValue.fromS(TokenKeys.orgShard(token.getOrg(), jti)));
        }
        String update = token.getOrg() == null ? "SET subject_shard = :subject"
                : "SET subject_shard = :subject, org_shard = :org";
        try {
            tables.dynamoDb().updateItem(r -> r.tableName(tables.of(TokenSchema.TABLE).tableName())
                    .key(Map.of("token_key", AttributeValue.fromS(token.getTokenKey())))
                    .updateExpression(update)
                    .conditionExpression("attribute_exists(token_key) AND attribute_not_exists(subject_shard)")
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException goneOrDone) {
            return false;
        }
    }

    public static void main(String[] args) {
        Settings settings = Settings.fromEnvironment();
        Result result = new IndexBackfill(new Tables(new AwsClients(settings).dynamoDb(), settings))
                .run(java.time.Instant.now().getEpochSecond());
        System.out.println("{\"event\":\"index_backfill\",\"updated\":" + result.updated() + ",\"live_tokens\":"
                + result.seen() + "}");
    }
}
