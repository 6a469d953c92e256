package dev.tokenservice.tokens.query;

import dev.tokenservice.concurrent.SideBySide;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbIndex;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.model.Page;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryEnhancedRequest;

/**
 * Access tokens newest first, by Query on an index, never a Scan: one subject's (subject-shard-issued-index) or
 * everyone's (listing-issued-index). Both are sharded (TokenKeys.SHARDS partitions per subject, and for everyone),
 * so a listing queries the shards side by side, first pages in one round trip, and merges them by issue time.
 * Results are read lazily, page after page, so a caller that stops early reads little, and one that reads on
 * crosses DynamoDB's 1 MB pages without gaps.
 */
public final class TokenIndex {

    private static final Comparator<TokenItem> NEWEST_FIRST = Comparator
            .comparing((TokenItem t) -> t.getIssuedAt() == null ? Long.MIN_VALUE : t.getIssuedAt()).reversed()
            .thenComparing(TokenItem::getTokenKey);

    private final DynamoDbTable<TokenItem> table;

    public TokenIndex(Tables tables) {
        this.table = tables.of(TokenSchema.TABLE);
    }

    /** Which index and which of its partitions (the shards, merged) a listing reads. */
    public record Source(String index, List<String> partitions) {

        public static Source subject(String subject) {
            List<String> shards = new ArrayList<>(TokenKeys.SHARDS);
            for (int shard = 0; shard < TokenKeys.SHARDS; shard++) {
                shards.add(TokenKeys.subjectShard(subject, shard));
            }
            return new Source(TokenSchema.TOKENS_BY_SUBJECT, shards);
        }

        public static Source org(String org) {
            List<String> shards = new ArrayList<>(TokenKeys.SHARDS);
            for (int shard = 0; shard < TokenKeys.SHARDS; shard++) {
                shards.add(TokenKeys.orgShard(org, shard));
            }
            return new Source(TokenSchema.TOKENS_BY_ORG, shards);
        }

        public static Source everyone() {
            List<String> shards = new ArrayList<>(TokenKeys.SHARDS);
            for (int shard = 0; shard < TokenKeys.SHARDS; shard++) {
                shards.add(TokenKeys.listShard(shard));
            }
            return new Source(TokenSchema.TOKENS_LISTED, shards);
        }
    }

    /**
     * Tokens of the source issued within [fromMillis, toMillis] (either may be null), newest first, that pass
     * the filter (evaluated by DynamoDB; null for none). pageSize bounds the items of one request per partition.
     */
    public Iterator<TokenItem> newestFirst(Source source, Long fromMillis, Long toMillis, Expression filter, int pageSize) {
        int perShard = Math.max(1, pageSize / source.partitions().size() + 1);
        List<Iterator<TokenItem>> shards = new ArrayList<>();
        for (String partition : source.partitions()) {
            shards.add(query(source.index(), partition, fromMillis, toMillis, filter, perShard));
        }
        return new Merged(shards, NEWEST_FIRST);
    }

    /**
     * Entries of a keys-only pair index (pair-user-index or pair-client-index): from each given partition those
     * whose sort key starts with the prefix (or equals exactly, when exact), ascending or descending, merged in
     * that order. Each entry carries the pair record's key and index keys only.
     */
    public Iterator<TokenItem> pairs(String indexName, List<String> partitions, String prefix, boolean exact,
            boolean ascending, int pageSize) {
        boolean byUser = indexName.equals(TokenSchema.PAIRS_BY_USER);
        java.util.function.Function<TokenItem, String> sortKey = byUser ? TokenItem::getPairByUser
                : TokenItem::getPairByClient;
        Comparator<TokenItem> order = Comparator.comparing(sortKey, TokenIndex::compareCodePoints);
        if (!ascending) {
            order = order.reversed();
        }
        List<Iterator<TokenItem>> shards = new ArrayList<>();
        for (String partition : partitions) {
            Key key = Key.builder().partitionValue(partition).sortValue(prefix == null ? "" : prefix).build();
            QueryConditional condition = prefix == null
                    ? QueryConditional.keyEqualTo(Key.builder().partitionValue(partition).build())
                    : exact ? QueryConditional.keyEqualTo(key) : QueryConditional.sortBeginsWith(key);
            shards.add(new Items(table.index(indexName).query(QueryEnhancedRequest.builder()
                    .queryConditional(condition)
                    .scanIndexForward(ascending)
                    .limit(pageSize)
                    .build()).iterator()));
        }
        return shards.size() == 1 ? shards.get(0) : new Merged(shards, order);
    }

    /** DynamoDB's order of strings: by UTF-8 bytes, which is code point order (not Java's UTF-16 order). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private Iterator<TokenItem> query(String indexName, String partition, Long fromMillis, Long toMillis,
            Expression filter, int pageSize) {
        if (fromMillis != null && toMillis != null && fromMillis > toMillis) {
            return Collections.emptyIterator();
        }
        DynamoDbIndex<TokenItem> index = table.index(indexName);
        QueryEnhancedRequest.Builder request = QueryEnhancedRequest.builder()
                .queryConditional(condition(partition, fromMillis, toMillis))
                .scanIndexForward(false)
                .limit(pageSize);
        if (filter != null) {
            request.filterExpression(filter);
        }
        return new Items(index.query(request.build()).iterator());
    }

    private static QueryConditional condition(String partition, Long from, Long to) {
        if (from != null && to != null) {
            return QueryConditional.sortBetween(key(partition, from), key(partition, to));
        }
        if (from != null) {
            return QueryConditional.sortGreaterThanOrEqualTo(key(partition, from));
        }
        if (to != null) {
            return QueryConditional.sortLessThanOrEqualTo(key(partition, to));
        }
        return QueryConditional.keyEqualTo(Key.builder().partitionValue(partition).build());
    }

    private static Key key(String partition, long issuedAt) {
        return Key.builder().partitionValue(partition).sortValue(issuedAt).build();
    }

    /** The items of a page iterator, fetching the next page only when the current one is used up. */
    private static final class Items implements Iterator<TokenItem> {
        private final Iterator<Page<TokenItem>> pages;
        private Iterator<TokenItem> current = Collections.emptyIterator();

        Items(Iterator<Page<TokenItem>> pages) {
            this.pages = pages;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext() && pages.hasNext()) {
                current = pages.next().items().iterator();
            }
            return current.hasNext();
        }

        @Override
        public TokenItem next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }

    /** A k-way merge of iterators each sorted by one order into one iterator in that order. */
    private static final class Merged implements Iterator<TokenItem> {
        private final PriorityQueue<Head> heads;
        private final List<Iterator<TokenItem>> sources;
        private boolean started;

        Merged(List<Iterator<TokenItem>> sources, Comparator<TokenItem> order) {
            this.sources = sources;
            this.heads = new PriorityQueue<>((a, b) -> order.compare(a.item, b.item));
        }

        private void start() {
            if (!started) {
                started = true;
                // Every partition's first page is needed before the first item is known: ask for them all at
                // once, one round trip instead of one per partition. Later pages are read when reached.
                List<CompletableFuture<Boolean>> firstPages = sources.stream()
                        .map(source -> SideBySide.supply(source::hasNext)).toList();
                firstPages.forEach(SideBySide::join);
                sources.forEach(this::advance);
            }
        }

        private void advance(Iterator<TokenItem> source) {
            if (source.hasNext()) {
                heads.add(new Head(source.next(), source));
            }
        }

        @Override
        public boolean hasNext() {
            start();
            return !heads.isEmpty();
        }

        @Override
        public TokenItem next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Head head = heads.poll();
            advance(head.source);
            return head.item;
        }

        private record Head(TokenItem item, Iterator<TokenItem> source) {
        }
    }
}
