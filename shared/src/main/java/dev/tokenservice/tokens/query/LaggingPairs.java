package dev.tokenservice.tokens.query;

import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenPairs;
import java.util.Iterator;

/**
 * A pair record's issue time may lag behind its newest token by up to {@link TokenPairs#REFRESH_MILLIS}: a container
 * that wrote the record recently does not write it again for every token. So when a revocation's cut-off falls
 * within that lag after the record's issue time (a Knetik delete right after a token), the record alone cannot tell
 * whether a token issued after the cut-off is live; the subject's tokens issued after the cut-off are then read (its
 * index shards side by side, one round trip) for a live one of the pair's client. A cut-off at or past the lag
 * covers every token the record stands for, and a later token moves the record past the cut-off: neither reads.
 */
public final class LaggingPairs {

    private final Tables tables;

    public LaggingPairs(Tables tables) {
        this.tables = tables;
    }

    /** Whether tokens of the pair the record does not show may have been issued after the cut-off. */
    public static boolean mayHideTokensAfter(TokenItem pair, long cutoff) {
        return pair.getIssuedAt() != null && cutoff >= pair.getIssuedAt()
                && cutoff < pair.getIssuedAt() + TokenPairs.REFRESH_MILLIS;
    }

    /** Whether the pair holds a live token issued after the cut-off, by its revocation records and its own state. */
    public boolean holdsLiveTokenAfter(TokenItem pair, long cutoff, long nowEpochSecond) {
        TokenFilters filters = new TokenFilters()
                .equal("client_id", pair.getClientId())
                .greaterThan("expires_at", nowEpochSecond)
                .notFlagged("revoked");
        Iterator<TokenItem> live = new LiveFilter(
                new TokenIndex(tables).newestFirst(TokenIndex.Source.subject(pair.getSubject()), cutoff + 1, null,
                        filters.expression(), 25),
                new RevocationCutoffs(tables), 25, LiveFilter.onlyLive());
        return live.hasNext();
    }
}
