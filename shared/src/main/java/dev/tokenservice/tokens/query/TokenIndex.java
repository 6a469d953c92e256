package dev.tokenservice.tokens.query;

import dev.tokenservice.concurrent.SideBySide;
import dev.tokenservice.storage.Schemas;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
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
 * Access tokens newest first, by Query on an index, never a Scan: one client's (client-issued-index), one
 * subject's (subject-issued-index), or everyone's (listing-issued-index, whose LIST_SHARDS partitions are
 * queried side by side, first pages in one round trip, and merged by issue time). Results are read lazily, page after page, so a caller
 * that stops early reads little, and one that reads on crosses DynamoDB's 1 MB pages without gaps.
 */
public final class TokenIndex {

    private static final Comparator<TokenItem> NEWEST_FIRST = Comparator
            .comparing((TokenItem t) -> t.getIssuedAt() == null ? Long.MIN_VALUE : t.getIssuedAt()).reversed()
            .thenComparing(TokenItem::getTokenKey);

    private final DynamoDbTable<TokenItem> table;

    public TokenIndex(Tables tables) {
        this.table = tables.tokens();
    }

    /** Which index and partition a listing reads. */
    public record Source(String index, String partition) {

        public static Source client(String clientId) {
            return new Source(Schemas.TOKENS_BY_CLIENT, clientId);
        }

        public static Source subject(String subject) {
            return new Source(Schemas.TOKENS_BY_SUBJECT, subject);
        }

        public static Source everyone() {
            return new Source(Schemas.TOKENS_LISTED, null);
        }
    }

    /**
     * Tokens of the source issued within [fromMillis, toMillis] (either may be null), newest first, that pass
     * the filter (evaluated by DynamoDB; null for none). pageSize bounds the items of one request per partition.
     */
    public Iterator<TokenItem> newestFirst(Source source, Long fromMillis, Long toMillis, Expression filter, int pageSize) {
        if (source.partition() != null) {
            return query(source.index(), source.partition(), fromMillis, toMillis, filter, pageSize);
        }
        int perShard = Math.max(1, pageSize / TokenKeys.LIST_SHARDS + 1);
        List<Iterator<TokenItem>> shards = new ArrayList<>();
        for (int shard = 0; shard < TokenKeys.LIST_SHARDS; shard++) {
            shards.add(query(source.index(), TokenKeys.listShard(shard), fromMillis, toMillis, filter, perShard));
        }
        return new Merged(shards);
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

    /** A k-way merge of newest-first iterators into one newest-first iterator. */
    private static final class Merged implements Iterator<TokenItem> {
        private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> NEWEST_FIRST.compare(a.item, b.item));
        private final List<Iterator<TokenItem>> sources;
        private boolean started;

        Merged(List<Iterator<TokenItem>> sources) {
            this.sources = sources;
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
