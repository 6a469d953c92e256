package dev.tokenservice.knetik;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.util.Base64URL;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Json;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import dev.tokenservice.tokens.TokenSchema;
import dev.tokenservice.tokens.TokenSealer;
import dev.tokenservice.tokens.query.LaggingPairs;
import dev.tokenservice.tokens.query.LiveFilter;
import dev.tokenservice.tokens.query.PairRecords;
import dev.tokenservice.tokens.query.RevocationCutoffs;
import dev.tokenservice.tokens.query.TokenFilters;
import dev.tokenservice.tokens.query.TokenIndex;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The Knetik AuthTokensApi (TOKENS_ADMIN = tokens:admin): which users hold live tokens at which clients,
 * one such token's value, and revoking them by user, client or both. A delete writes one revocation record,
 * whatever the number of tokens, and takes effect at the next verification.
 */
public final class TokenAdministration {

    private static final int CHUNK = 100;
    /** Pairs counted past the page for total_elements (or size, if larger); beyond them the total is a lower bound. */
    static final int COUNT_AHEAD = 250;

    private final Tables tables;
    private final TokenRepository tokens;
    private final Optional<TokenSealer> sealer;
    private final SigningKeys keys;
    private final Clock clock;
    private final Duration longestLifetime;

    public TokenAdministration(Tables tables, TokenRepository tokens, Optional<TokenSealer> sealer, SigningKeys keys,
            Clock clock, Duration longestLifetime) {
        this.tables = tables;
        this.tokens = tokens;
        this.sealer = sealer;
        this.keys = keys;
        this.clock = clock;
        this.longestLifetime = longestLifetime;
    }

    /**
     * get_tokens: the distinct (username, client_id) pairs with a live token, filtered exactly, sorted, one
     * 1-based page of them in a Spring Data page body (number is 0-based, as Spring serialises it). It pages
     * through the pair records in the order asked for (pair-user-index or pair-client-index), so its cost follows
     * page × size, not the number of tokens: the pairs before the page, the page, and at most COUNT_AHEAD (or size)
     * pairs after it to count the total. Past that the total is a lower bound (one more than counted, so the page is
     * not the last).
     */
    public ObjectNode list(Caller caller, String clientId, String username, int page, int size, SortOrder order) {
        caller.requireAnyScope(ServiceScopes.TOKENS_ADMIN);
        long now = clock.instant().getEpochSecond();
        long offset = (long) (page - 1) * size;
        int ahead = Math.max(COUNT_AHEAD, size);
        RevocationCutoffs cutoffs = new RevocationCutoffs(tables);
        LaggingPairs lagging = new LaggingPairs(tables);
        Iterator<TokenItem> live = new LiveFilter(
                new PairRecords(tables, pairEntries(clientId, username, order, offset + size + ahead)), cutoffs, CHUNK,
                (pair, revoked) -> pair.getExpiresAt() != null && pair.getExpiresAt() > now
                        && (!revoked || revokedButMayHoldLaterToken(pair, cutoffs.cutoff(pair), lagging, now)));
        long counted = 0;
        while (counted < offset && live.hasNext()) {
            live.next();
            counted++;
        }
        List<SortOrder.TokenPair> content = new ArrayList<>();
        while (content.size() < size && live.hasNext()) {
            TokenItem pair = live.next();
            content.add(new SortOrder.TokenPair(pair.getSubject(), pair.getClientId()));
            counted++;
        }
        long countUntil = counted + ahead;
        while (counted < countUntil && live.hasNext()) {
            live.next();
            counted++;
        }
        long total = counted < countUntil || !live.hasNext() ? counted : counted + 1;
        return KnetikViews.page(content, page, size, total, order);
    }

    /**
     * A pair whose record a revocation covers still holds a live token when one was issued after the cut-off that the
     * record does not show yet (its issue time lags; see LaggingPairs).
     */
    private static boolean revokedButMayHoldLaterToken(TokenItem pair, long cutoff, LaggingPairs lagging, long now) {
        return LaggingPairs.mayHideTokensAfter(pair, cutoff) && lagging.holdsLiveTokenAfter(pair, cutoff, now);
    }

    /** The pair-index entries of the filter, in the order asked for (see TokenIndex.pairs). */
    private Iterator<TokenItem> pairEntries(String clientId, String username, SortOrder order, long wanted) {
        TokenIndex index = new TokenIndex(tables);
        int pageSize = (int) Math.min(1000, wanted + 1);
        int perShard = (int) Math.min(1000, wanted / TokenKeys.SHARDS + 1);
        boolean usernameAscending = order.ascending("username");
        boolean clientAscending = order.ascending("client_id");
        if (username != null) {
            // One user's pairs sit in one partition, in client order.
            String prefix = clientId != null ? TokenKeys.pairByUser(username, clientId) : username + "\0";
            return index.pairs(TokenSchema.PAIRS_BY_USER, List.of(TokenKeys.pairShard(username)), prefix,
                    clientId != null, clientAscending, pageSize);
        }
        List<String> shards = new ArrayList<>(TokenKeys.SHARDS);
        for (int shard = 0; shard < TokenKeys.SHARDS; shard++) {
            shards.add(TokenKeys.pairShard(shard));
        }
        if (clientId != null) {
            // One client's users, spread over every shard by username, merged in username order.
            return index.pairs(TokenSchema.PAIRS_BY_CLIENT, shards, clientId + "\0", false, usernameAscending, perShard);
        }
        boolean usernameFirst = order.entries().get(0).property().equals("username");
        boolean firstAscending = usernameFirst ? usernameAscending : clientAscending;
        String indexName = usernameFirst ? TokenSchema.PAIRS_BY_USER : TokenSchema.PAIRS_BY_CLIENT;
        Iterator<TokenItem> entries = index.pairs(indexName, shards, null, false, firstAscending, perShard);
        return usernameAscending == clientAscending ? entries : PairRecords.secondKeyReversed(entries,
                usernameFirst ? TokenItem::getPairByUser : TokenItem::getPairByClient);
    }

    /** get_token: the most recent live token of the user at the client, its value rebuilt from the sealed copy. */
    public ObjectNode get(Caller caller, String username, String clientId) {
        caller.requireAnyScope(ServiceScopes.TOKENS_ADMIN);
        TokenFilters filters = new TokenFilters()
                .equal("client_id", clientId)
                .greaterThan("expires_at", clock.instant().getEpochSecond())
                .notFlagged("revoked")
                .present("sealed_value");
        Iterator<TokenItem> live = new LiveFilter(
                new TokenIndex(tables).newestFirst(TokenIndex.Source.subject(username), null, null,
                        filters.expression(), 25),
                new RevocationCutoffs(tables), 25, LiveFilter.onlyLive());
        if (sealer.isEmpty() || !live.hasNext()) {
            throw new ApiError(404, "not_found", "no live token of user " + username + " at client " + clientId);
        }
        return KnetikViews.resource(username, clientId, unseal(live.next()));
    }

    /**
     * delete_tokens: every token of the user, or of the user at the client, stops at once; every token of the client
     * within CLIENT_CACHE_SECONDS (its record is the one a container may answer from its client cache).
     */
    public void delete(Caller caller, String username, String clientId) {
        caller.requireAnyScope(ServiceScopes.TOKENS_ADMIN);
        String record;
        if (username != null && clientId != null) {
            record = TokenKeys.subjectAtClientRevocation(clientId, username);
        } else if (username != null) {
            record = TokenKeys.subjectRevocation(username);
        } else if (clientId != null) {
            record = TokenKeys.clientRevocation(clientId);
        } else {
            throw new ApiError(400, "invalid_request", "username: give username, client_id or both");
        }
        tokens.revokeGrantsUpToNow(record, clock, longestLifetime);
    }

    /**
     * The stored header.payload, opened, signed again by the active key: byte for byte the issued token
     * under RS256 (deterministic), an equally valid one under ES256 or after a key rotation.
     */
    private String unseal(TokenItem row) {
        byte[] signingInput = sealer.orElseThrow().open(new TokenSealer.Sealed(row.getSealedValue(), row.getSealedKey()));
        String[] parts = new String(signingInput, StandardCharsets.US_ASCII).split("\\.");
        try {
            TokenSigner signer = keys.active();
            JWSHeader header = JWSHeader.parse(new Base64URL(parts[0]));
            if (!signer.keyId().equals(header.getKeyID()) || !signer.algorithm().equals(header.getAlgorithm())) {
                header = new JWSHeader.Builder(signer.algorithm()).type(header.getType()).keyID(signer.keyId()).build();
            }
            JWSObject jws = new JWSObject(header, new Payload(new Base64URL(parts[1])));
            jws.sign(signer.jwsSigner());
            return jws.serialize();
        } catch (ParseException | ArrayIndexOutOfBoundsException corrupt) {
            throw new IllegalStateException("a sealed token value is corrupt");
        } catch (JOSEException e) {
            if (e.getCause() instanceof SdkException sdkFailure) {
                throw sdkFailure;
            }
            throw new IllegalStateException("re-signing a stored token failed");
        }
    }

    /** The Knetik JSON shapes. */
    static final class KnetikViews {

        private KnetikViews() {
        }

        static ObjectNode resource(String username, String clientId, String token) {
            ObjectNode resource = Json.object().put("client_id", clientId).put("username", username);
            if (token != null) {
                resource.put("token", token);
            }
            return resource;
        }

        static ObjectNode page(List<SortOrder.TokenPair> content, int page, int size, long total, SortOrder order) {
            ObjectNode body = Json.object();
            ArrayNode rows = body.putArray("content");
            content.forEach(pair -> rows.add(resource(pair.username(), pair.clientId(), null)));
            int totalPages = (int) ((total + size - 1) / size);
            int number = page - 1;
            body.put("first", number == 0);
            body.put("last", number + 1 >= totalPages);
            body.put("number", number);
            body.put("number_of_elements", content.size());
            body.put("size", size);
            ArrayNode sort = body.putArray("sort");
            order.entries().forEach(entry -> sort.addObject()
                    .put("ascending", entry.ascending())
                    .put("descending", !entry.ascending())
                    .put("direction", entry.ascending() ? "ASC" : "DESC")
                    .put("ignore_case", false)
                    .put("null_handling", "NATIVE")
                    .put("property", entry.property()));
            body.put("total_elements", total);
            body.put("total_pages", totalPages);
            return body;
        }
    }
}
