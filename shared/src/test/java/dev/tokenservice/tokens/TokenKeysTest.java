package dev.tokenservice.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** One busy client's tokens spread over every index partition, so no partition is hot. */
class TokenKeysTest {

    @Test
    void tokensOfOneClientAndSubjectSpreadEvenlyOverTheShards() {
        Map<String, Integer> listShards = new HashMap<>();
        Map<String, Integer> subjectShards = new HashMap<>();
        int tokens = 1_600;
        for (int i = 0; i < tokens; i++) {
            String jti = UUID.randomUUID().toString();
            listShards.merge(TokenKeys.listShard(jti), 1, Integer::sum);
            subjectShards.merge(TokenKeys.subjectShard("machine-client", jti), 1, Integer::sum);
        }

        assertEquals(TokenKeys.SHARDS, listShards.size(), listShards.toString());
        assertEquals(TokenKeys.SHARDS, subjectShards.size(), subjectShards.toString());
        int even = tokens / TokenKeys.SHARDS;
        listShards.values().forEach(count -> assertTrue(count > even / 2 && count < even * 2, listShards.toString()));
        assertEquals(TokenKeys.listShard("same-jti"), TokenKeys.listShard("same-jti"), "a token's shard is stable");
    }
}
