package dev.tokenservice.agilicus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.Json;
import dev.tokenservice.time.RelativeDates;
import dev.tokenservice.tokens.TokenItem;
import java.time.Instant;
import java.util.List;

/** The Agilicus models this API answers with, from stored rows: Token, RawToken and ListTokensResponse. */
public final class AgilicusViews {

    private AgilicusViews() {
    }

    /** RawToken: token (required by the SDK), session, time_validity {duration: seconds it stays valid}. */
    public static ObjectNode rawToken(String token, String session, long validSeconds) {
        ObjectNode raw = Json.object().put("token", token);
        if (session != null) {
            raw.put("session", session);
        }
        raw.putObject("time_validity").put("duration", validSeconds);
        return raw;
    }

    /** Token: iat and exp are strings (Python isoformat, UTC); roles left out when excluded or absent. */
    public static ObjectNode token(TokenItem row, boolean withRoles) {
        JsonNode details = details(row);
        ObjectNode token = Json.object().put("sub", row.getSubject());
        putText(token, "org", row.getOrg());
        putText(token, "root_org", details.path("root_org").isTextual() ? details.path("root_org").asText() : row.getOrg());
        if (withRoles && details.path("roles").isObject()) {
            token.set("roles", roles(details.get("roles")));
        }
        token.put("jti", row.getTokenKey().substring(row.getTokenKey().indexOf('#') + 1));
        token.put("iat", RelativeDates.isoSeconds(Instant.ofEpochMilli(row.getIssuedAt())));
        token.put("exp", RelativeDates.isoSeconds(Instant.ofEpochSecond(row.getExpiresAt())));
        if (details.path("hosts").isArray()) {
            token.set("hosts", details.get("hosts"));
        }
        ArrayNode aud = token.putArray("aud");
        (row.getAudience() == null ? List.<String>of() : row.getAudience()).forEach(aud::add);
        putText(token, "session", row.getSession());
        ArrayNode scopes = token.putArray("scopes");
        scopes(row).forEach(scopes::add);
        return token;
    }

    /**
     * Token.roles as the Roles model reads it: an application to a list of roles. Created as one role per
     * application (CreateTokenRequest.roles maps to a string), answered as a list of that one: agilicus 1.415's
     * model type-checks the lists, 1.53.3's takes any value.
     */
    private static ObjectNode roles(JsonNode created) {
        ObjectNode roles = Json.object();
        created.fields().forEachRemaining(entry -> {
            ArrayNode list = roles.putArray(entry.getKey());
            if (entry.getValue().isArray()) {
                entry.getValue().forEach(list::add);
            } else {
                list.add(entry.getValue().asText());
            }
        });
        return roles;
    }

    /** ListTokensResponse: limit is required by the SDK, so it is always sent. */
    public static ObjectNode list(List<TokenItem> rows, int limit) {
        ObjectNode body = Json.object();
        ArrayNode tokens = body.putArray("tokens");
        rows.forEach(row -> tokens.add(token(row, true)));
        body.put("limit", limit);
        return body;
    }

    static List<String> scopes(TokenItem row) {
        String scope = row.getScope();
        return scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split(" +"));
    }

    /** The Agilicus extras stored with the token (roles, hosts, token_validity, root_org); empty when none. */
    static JsonNode details(TokenItem row) {
        if (row.getDetails() == null) {
            return Json.object();
        }
        try {
            return Json.MAPPER.readTree(row.getDetails());
        } catch (JsonProcessingException unreadable) {
            return Json.object();
        }
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
