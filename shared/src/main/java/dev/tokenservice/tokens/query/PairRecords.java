package dev.tokenservice.tokens.query;

import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The pair records behind keys-only pair-index entries, in the entries' order: read a chunk of entries, fetch
 * their records in one strongly consistent BatchGetItem, yield those still there (TTL may have removed some).
 */
public final class PairRecords implements Iterator<TokenItem> {

    private static final int BATCH_KEYS = 100;

    private final Tables tables;
    private final Iterator<TokenItem> entries;
    private Iterator<TokenItem> ready = Collections.emptyIterator();

    public PairRecords(Tables tables, Iterator<TokenItem> entries) {
        this.tables = tables;
        this.entries = entries;
    }

    @Override
    public boolean hasNext() {
        while (!ready.hasNext() && entries.hasNext()) {
            List<String> keys = new ArrayList<>(BATCH_KEYS);
            while (keys.size() < BATCH_KEYS && entries.hasNext()) {
                keys.add(entries.next().getTokenKey());
            }
            Map<String, TokenItem> found = new BatchLookup(tables).add(tables.of(TokenSchema.TABLE), TokenItem.class, keys)
                    .rows(tables.of(TokenSchema.TABLE), TokenItem::getTokenKey);
            List<TokenItem> rows = new ArrayList<>(keys.size());
            for (String key : keys) {
                TokenItem row = found.get(key);
                if (row != null) {
                    rows.add(row);
                }
            }
            ready = rows.iterator();
        }
        return ready.hasNext();
    }

    @Override
    public TokenItem next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.next();
    }

    /**
     * Entries in an order whose second key runs against the first (username:ASC,client_id:DESC): the index gives
     * both keys one direction, so each run of entries with the same first key is turned around. A run is one
     * user's clients or one client's users, read whole.
     */
    public static Iterator<TokenItem> secondKeyReversed(Iterator<TokenItem> entries,
            java.util.function.Function<TokenItem, String> sortKey) {
        return new Iterator<>() {
            private final List<TokenItem> run = new ArrayList<>();
            private TokenItem pending;
            private Iterator<TokenItem> ready = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                if (ready.hasNext()) {
                    return true;
                }
                run.clear();
                if (pending == null && entries.hasNext()) {
                    pending = entries.next();
                }
                if (pending == null) {
                    return false;
                }
                String first = firstKey(sortKey.apply(pending));
                run.add(pending);
                pending = null;
                while (entries.hasNext()) {
                    TokenItem next = entries.next();
                    if (!firstKey(sortKey.apply(next)).equals(first)) {
                        pending = next;
                        break;
                    }
                    run.add(next);
                }
                Collections.reverse(run);
                ready = new ArrayList<>(run).iterator();
                return true;
            }

            @Override
            public TokenItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.next();
            }
        };
    }

    private static String firstKey(String sortKey) {
        int separator = sortKey.indexOf('\0');
        return separator < 0 ? sortKey : sortKey.substring(0, separator);
    }
}
