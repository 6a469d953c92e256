package dev.tokenservice.tokens.query;

import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;

/**
 * Whether listed tokens are revoked, by the same rule that decides verification (TokenRepository's
 * AccessTokenState): the row's own revoked flag, or a revocation record of its client, of its subject at
 * the client, of its subject, or of its session (and, for an exchanged token, of the client whose grant it descends
 * from and of its subject there) with a cut-off at or after its grant's issue time
 * (TokenItem#grantStart). Records are
 * read strongly consistent, 100 keys per BatchGetItem, once per listing for each key.
 */
public final class RevocationCutoffs {

    private static final int BATCH_KEYS = 100;

    private final Tables tables;
    private final DynamoDbTable<TokenItem> table;
    private final Map<String, Long> cutoffs = new HashMap<>();

    public RevocationCutoffs(Tables tables) {
        this.tables = tables;
        this.table = tables.of(TokenSchema.TABLE);
    }

    /** Reads, in batches, the records that could cover these tokens and are not known yet. */
    public void load(Collection<TokenItem> tokens) {
        Set<String> missing = new LinkedHashSet<>();
        for (TokenItem token : tokens) {
            for (String key : recordKeys(token)) {
                if (!cutoffs.containsKey(key)) {
                    missing.add(key);
                }
            }
        }
        List<String> keys = new ArrayList<>(missing);
        for (int start = 0; start < keys.size(); start += BATCH_KEYS) {
            List<String> chunk = keys.subList(start, Math.min(keys.size(), start + BATCH_KEYS));
            Map<String, TokenItem> found = new BatchLookup(tables).add(table, TokenItem.class, chunk)
                    .rows(table, TokenItem::getTokenKey);
            for (String key : chunk) {
                TokenItem record = found.get(key);
                cutoffs.put(key, record == null || record.getRevokedAt() == null ? -1L : record.getRevokedAt());
            }
        }
    }

    /** True when the token is revoked; its records must have been loaded. */
    public boolean revoked(TokenItem token) {
        if (token.isRevoked()) {
            return true;
        }
        return token.grantStart() == null || token.grantStart() <= cutoff(token);
    }

    /** The latest cut-off (epoch ms) of the records that could cover the token, -1 if none; loaded before. */
    public long cutoff(TokenItem token) {
        long cutoff = -1;
        for (String key : recordKeys(token)) {
            Long known = cutoffs.get(key);
            if (known == null) {
                throw new IllegalStateException("revocation records not loaded for a listed token");
            }
            cutoff = Math.max(cutoff, known);
        }
        return cutoff;
    }

    private static List<String> recordKeys(TokenItem token) {
        return TokenKeys.revocationRecords(token.getClientId(), token.getSubject(), token.getSession(),
                token.getGrantClientId());
    }
}
