package dev.tokenservice.tokens.query;

import dev.tokenservice.tokens.TokenItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Tokens from an index with their revocation state decided, in chunks: it reads a chunk of candidates,
 * loads the revocation records they need in one batch, and yields those the predicate (given the token and
 * whether it is revoked) keeps.
 */
public final class LiveFilter implements Iterator<TokenItem> {

    /** Which listed tokens to keep, knowing whether each is revoked. */
    @FunctionalInterface
    public interface Keep {
        boolean test(TokenItem token, boolean revoked);
    }

    private final Iterator<TokenItem> candidates;
    private final RevocationCutoffs cutoffs;
    private final Keep keep;
    private final int chunk;
    private Iterator<TokenItem> ready = Collections.emptyIterator();

    public LiveFilter(Iterator<TokenItem> candidates, RevocationCutoffs cutoffs, int chunk, Keep keep) {
        this.candidates = candidates;
        this.cutoffs = cutoffs;
        this.keep = keep;
        this.chunk = chunk;
    }

    public static Keep onlyLive() {
        return (token, revoked) -> !revoked;
    }

    @Override
    public boolean hasNext() {
        while (!ready.hasNext() && candidates.hasNext()) {
            List<TokenItem> batch = new ArrayList<>(chunk);
            while (batch.size() < chunk && candidates.hasNext()) {
                batch.add(candidates.next());
            }
            cutoffs.load(batch);
            List<TokenItem> kept = new ArrayList<>(batch.size());
            for (TokenItem token : batch) {
                if (keep.test(token, cutoffs.revoked(token))) {
                    kept.add(token);
                }
            }
            ready = kept.iterator();
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
}
