package dev.tokenservice.agilicus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.IssuedAccessToken;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.tokens.TokenRepository;
import dev.tokenservice.tokens.query.LiveFilter;
import dev.tokenservice.tokens.query.RevocationCutoffs;
import dev.tokenservice.tokens.query.TokenFilters;
import dev.tokenservice.tokens.query.TokenIndex;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Agilicus TokensApi: create, validate, introspect, reissue, revoke and query tokens. A token is an
 * access token of this service (a signed JWT with a stored row), so whatever revokes it here stops it
 * everywhere at once, and whatever revokes it elsewhere (a Knetik delete, a deleted client) shows here.
 */
public final class TokenLifecycle {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int LIST_CHUNK = 50;
    private static final int SELECTIVE_PAGE = 1000;

    private final AccessTokenIssuer issuer;
    private final TokenRepository tokens;
    private final CallerAuthenticator verifier;
    private final Tables tables;
    private final Clock clock;
    private final Duration longestLifetime;

    public TokenLifecycle(AccessTokenIssuer issuer, TokenRepository tokens, CallerAuthenticator verifier, Tables tables,
            Clock clock, Duration longestLifetime) {
        this.issuer = issuer;
        this.tokens = tokens;
        this.verifier = verifier;
        this.tables = tables;
        this.clock = clock;
        this.longestLifetime = longestLifetime;
    }

    /** create_token: 201 RawToken, signed for sub in org with the scopes the caller may grant. */
    public ObjectNode create(Caller caller, CreateTokenRequest request, String issuerUrl) {
        caller.requireAnyScope(ServiceScopes.TOKENS_ADMIN);
        List<String> scopes = ScopeGrant.decide(Optional.of(caller), request.scopes());
        String session = request.session() != null ? request.session() : newSession();
        ObjectNode details = Json.object();
        if (!request.roles().isEmpty()) {
            ObjectNode roles = details.putObject("roles");
            request.roles().forEach(roles::put);
        }
        if (request.hosts() != null) {
            details.set("hosts", request.hosts());
        }
        if (request.tokenValidity() != null) {
            details.set("token_validity", request.tokenValidity());
        }
        details.put("root_org", request.org());
        Instant notBefore = request.notBefore();
        if (notBefore != null && !notBefore.isBefore(clock.instant().plusSeconds(request.durationSeconds()))) {
            throw new ApiError(400, "invalid_request",
                    "token_validity.start: must be before the token expires (time_validity.duration from now)");
        }
        IssuedAccessToken token = issuer.issue(new AccessTokenRequest(issuerUrl, request.sub(), caller.clientId(),
                scopes, request.audiences(), Duration.ofSeconds(request.durationSeconds()))
                .inSession(session)
                .forOrg(request.org(), claims(details), details.toString()));
        return AgilicusViews.rawToken(token.value(), session, token.expiresInSeconds());
    }

    /**
     * create_token_validation ("the user has permission to access the scopes requested"): the request back when
     * every scope it requires may be handed on by the caller, 403 naming the first that may not. Ordinary scopes
     * anyone may ask for; this service's administrative scopes only a caller holding them. The caller is optional
     * (the SDK sends no credentials): without one, or with one that does not verify, it is nobody, who holds no
     * scope. Whether the caller may create tokens at all (tokens:admin) is create_token's question, not this one.
     */
    public ObjectNode validate(Optional<Caller> caller, CreateTokenRequest request) {
        ScopeGrant.decide(caller, request.scopes());
        return request.toJson();
    }

    /** create_introspect_token: the Token; 410 when revoked; 400 when not a live-able token of this service. */
    public ObjectNode introspect(String token, boolean excludeRoles, String issuerUrl) {
        Presented presented = presented(token, issuerUrl);
        if (presented.revoked()) {
            throw revokedError();
        }
        return AgilicusViews.token(presented.row(), !excludeRoles);
    }

    /**
     * create_reissued_token: a new token for another organisation the presented token holds permissions in
     * (its own org, its root org, the admin_org_id of its hosts), with the same scopes and the same expiry;
     * the presented token stays valid. 410 when it is revoked, 403 when the organisation is not among them.
     */
    public ObjectNode reissue(String token, String orgId, String issuerUrl) {
        Presented presented = presented(token, issuerUrl);
        if (presented.revoked()) {
            throw revokedError();
        }
        TokenItem row = presented.row();
        JsonNode details = AgilicusViews.details(row);
        if (!permittedOrgs(row, details).contains(orgId)) {
            throw new ApiError(403, "forbidden", "org_id: the token holds no permissions in the organisation " + orgId);
        }
        ObjectNode newDetails = details.isObject() ? ((ObjectNode) details).deepCopy() : Json.object();
        if (!newDetails.path("root_org").isTextual() && row.getOrg() != null) {
            newDetails.put("root_org", row.getOrg());
        }
        // The new token keeps its original's grant time: a revocation record that covers the original covers it,
        // even when the record lands between the check above and this issue.
        IssuedAccessToken reissued = issuer.issue(new AccessTokenRequest(issuerUrl, row.getSubject(), row.getClientId(),
                AgilicusViews.scopes(row), row.getAudience() == null ? List.of() : row.getAudience(), Duration.ZERO)
                .inSession(row.getSession(), row.grantStart())
                .forGrantOf(row.getGrantClientId())
                .forOrg(orgId, claims(newDetails), newDetails.toString())
                .expiringAt(Instant.ofEpochSecond(row.getExpiresAt())));
        return AgilicusViews.rawToken(reissued.value(), row.getSession(), reissued.expiresInSeconds());
    }

    /**
     * create_revoke_token_task: the presented token stops verifying at once (introspect answers 410, lists
     * show it revoked); with all_sessions, every token of its session too. Revoking twice is no error.
     */
    public void revoke(String token, boolean allSessions, String issuerUrl) {
        Presented presented = presented(token, issuerUrl);
        TokenItem row = presented.row();
        long now = clock.millis();
        tokens.markRevoked(row.getTokenKey(), now);
        if (allSessions && row.getSession() != null) {
            tokens.revokeSession(row.getSession(), Instant.ofEpochMilli(now).plus(longestLifetime).getEpochSecond());
        }
    }

    /** list_tokens: newest first, at most limit, filtered; always by an index (or the jti's own row). */
    public ObjectNode list(Caller caller, TokenListQuery query) {
        caller.requireAnyScope(ServiceScopes.TOKENS_ADMIN);
        Iterator<TokenItem> candidates;
        if (query.jti() != null) {
            candidates = tokens.find(TokenKeys.accessToken(query.jti()))
                    .filter(row -> TokenKeys.ACCESS_TOKEN.equals(row.getKind()))
                    .filter(row -> query.sub() == null || query.sub().equals(row.getSubject()))
                    .filter(row -> query.org() == null || query.org().equals(row.getOrg()))
                    .filter(row -> inWindow(row, query))
                    .map(List::of).orElse(List.of()).iterator();
        } else {
            TokenFilters filters = new TokenFilters();
            if (query.org() != null) {
                filters.equal("org", query.org());
            }
            if (query.expiresFrom() != null) {
                filters.atLeast("expires_at", query.expiresFrom().getEpochSecond());
            }
            if (query.expiresTo() != null) {
                filters.atMost("expires_at", query.expiresTo().getEpochSecond());
            }
            if (Boolean.FALSE.equals(query.revoked())) {
                filters.notFlagged("revoked");
            }
            // The narrowest index the seed's filters name: the subject's, else the organisation's, else everyone's.
            TokenIndex.Source source = query.sub() != null ? TokenIndex.Source.subject(query.sub())
                    : query.org() != null ? TokenIndex.Source.org(query.org()) : TokenIndex.Source.everyone();
            // A filter that may drop most rows reads bigger pages (DynamoDB still stops each at 1 MB), so a
            // rare match costs few round trips; without one, a page little larger than the limit suffices.
            boolean selective = (query.org() != null && query.sub() != null) || query.expiresFrom() != null
                    || query.expiresTo() != null || query.revoked() != null;
            candidates = new TokenIndex(tables).newestFirst(source, issuedFromMillis(query), issuedToMillis(query),
                    filters.expression(), selective ? SELECTIVE_PAGE : query.limit() + 1);
        }
        Iterator<TokenItem> kept = new LiveFilter(candidates, new RevocationCutoffs(tables), LIST_CHUNK,
                (row, revoked) -> query.revoked() == null || query.revoked() == revoked);
        List<TokenItem> page = new ArrayList<>();
        while (page.size() < query.limit() && kept.hasNext()) {
            page.add(kept.next());
        }
        return AgilicusViews.list(page, query.limit());
    }

    /**
     * The issue-time range to read. An expiry window bounds it too, since no token lives longer than the longest
     * lifetime: a token expiring at or after exp_from was issued at or after exp_from minus that lifetime, and one
     * expiring at or before exp_to was issued before exp_to. So an expiry window reads the index's sort-key range
     * of the tokens it can match, not the whole index.
     */
    private Long issuedFromMillis(TokenListQuery query) {
        Long from = query.issuedFrom() == null ? null : query.issuedFrom().toEpochMilli();
        if (query.expiresFrom() != null) {
            long earliest = query.expiresFrom().minus(longestLifetime).toEpochMilli();
            from = from == null ? earliest : Math.max(from, earliest);
        }
        return from;
    }

    private static Long issuedToMillis(TokenListQuery query) {
        Long to = query.issuedTo() == null ? null : query.issuedTo().toEpochMilli();
        if (query.expiresTo() != null) {
            // exp is in whole seconds and iat (ms) is never after it.
            long latest = query.expiresTo().getEpochSecond() * 1000 + 999;
            to = to == null ? latest : Math.min(to, latest);
        }
        return to;
    }

    private static boolean inWindow(TokenItem row, TokenListQuery query) {
        long issuedAt = row.getIssuedAt();
        long expiresAt = row.getExpiresAt();
        return (query.issuedFrom() == null || issuedAt >= query.issuedFrom().toEpochMilli())
                && (query.issuedTo() == null || issuedAt <= query.issuedTo().toEpochMilli())
                && (query.expiresFrom() == null || expiresAt >= query.expiresFrom().getEpochSecond())
                && (query.expiresTo() == null || expiresAt <= query.expiresTo().getEpochSecond());
    }

    /** The presented token's row and whether it is revoked; 400 naming token when it is no live-able token. */
    private Presented presented(String token, String issuerUrl) {
        if (token == null || token.isBlank()) {
            throw new ApiError(400, "invalid_request", "token: is required");
        }
        JWTClaimsSet claims;
        try {
            claims = verifier.verifiedClaims(token.trim(), issuerUrl);
        } catch (ApiError invalid) {
            throw new ApiError(400, "invalid_token", "token: " + invalid.description());
        }
        String jti = claims.getJWTID();
        Object clientId = claims.getClaim("client_id");
        Object session = claims.getClaim("sid");
        if (jti == null || !(clientId instanceof String) || claims.getSubject() == null) {
            throw new ApiError(400, "invalid_token", "token: lacks jti, client_id or sub");
        }
        Object grantClient = claims.getClaim(AccessTokenIssuer.GRANT_CLIENT);
        var state = tokens.accessTokenLookup(jti, (String) clientId, claims.getSubject(),
                session instanceof String s ? s : null, grantClient instanceof String g ? g : null).read();
        TokenItem row = state.token().orElseThrow(() ->
                new ApiError(400, "invalid_token", "token: is not a token of this service"));
        boolean revoked = row.isRevoked() || row.grantStart() == null || row.grantStart() <= state.revokedUpToMillis();
        return new Presented(row, revoked);
    }

    private static Set<String> permittedOrgs(TokenItem row, JsonNode details) {
        Set<String> orgs = new LinkedHashSet<>();
        Optional.ofNullable(row.getOrg()).ifPresent(orgs::add);
        if (details.path("root_org").isTextual()) {
            orgs.add(details.path("root_org").asText());
        }
        for (JsonNode host : details.path("hosts")) {
            if (host.path("admin_org_id").isTextual()) {
                orgs.add(host.path("admin_org_id").asText());
            }
        }
        return orgs;
    }

    /** Claims beyond the standard ones: the roles (application to role) and the root organisation. */
    private static Map<String, Object> claims(JsonNode details) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (details.path("roles").isObject()) {
            Map<String, Object> roles = new LinkedHashMap<>();
            details.get("roles").fields().forEachRemaining(e -> roles.put(e.getKey(), e.getValue().asText()));
            claims.put("roles", Collections.unmodifiableMap(roles));
        }
        if (details.path("root_org").isTextual()) {
            claims.put("root_org", details.path("root_org").asText());
        }
        // token_validity.start: the token is not live before it (nbf), here and on a reissued copy alike.
        JsonNode start = details.path("token_validity").path("start");
        if (start.isTextual()) {
            claims.put("nbf", java.util.Date.from(Timestamps.parse("token_validity.start", start.asText())));
        }
        return claims;
    }

    private static ApiError revokedError() {
        return new ApiError(410, "revoked", "token: has been revoked");
    }

    private static String newSession() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private record Presented(TokenItem row, boolean revoked) {
    }
}
