package dev.tokenservice.agilicus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Agilicus CreateTokenRequest, validated: sub, org, audiences and time_validity are required (the SDK's
 * own rule); roles map application to role; hosts are HostPermissions whose rule methods the SDK limits;
 * scopes may end in "?" to mark them optional. Every 400 names the field.
 */
public record CreateTokenRequest(String sub, String org, Map<String, String> roles, List<String> audiences,
        long durationSeconds, ArrayNode hosts, ObjectNode tokenValidity, String session, List<String> scopes) {

    private static final int MAX_TEXT = 1024;
    // What a request adds to its token's claims (and its stored row). Past DynamoDB's 400 KB item limit the
    // write failed with a 500; well before it, the token would not fit the request headers it is sent in.
    private static final int MAX_CLAIMS_BYTES = 32_768;
    private static final List<String> CLAIM_FIELDS =
            List.of("audiences", "roles", "hosts", "scopes", "token_validity");
    private static final Set<String> METHODS =
            Set.of("get", "put", "post", "delete", "head", "options", "connect", "trace", "patch", "all");

    public static CreateTokenRequest parse(JsonBody body, Duration longestLifetime) {
        requireClaimsWithinLimit(body);
        String sub = requiredText(body, "sub");
        String org = requiredText(body, "org");
        List<String> audiences = body.strings("audiences")
                .orElseThrow(() -> JsonBody.invalid("audiences: is required"));
        if (audiences.isEmpty()
                || audiences.stream().anyMatch(a -> FieldRules.blank(a) || FieldRules.characters(a) > MAX_TEXT)) {
            throw JsonBody.invalid("audiences: must list at least one non-empty audience");
        }
        JsonNode validity = body.node("time_validity")
                .orElseThrow(() -> JsonBody.invalid("time_validity: is required"));
        long duration = duration(validity, longestLifetime);
        Map<String, String> roles = roles(body);
        ArrayNode hosts = hosts(body);
        ObjectNode tokenValidity = body.node("token_validity").map(CreateTokenRequest::tokenValidity).orElse(null);
        String session = body.string("session").filter(s -> !FieldRules.blank(s)).orElse(null);
        if (session != null && FieldRules.characters(session) > 128) {
            throw JsonBody.invalid("session: must be at most 128 characters");
        }
        List<String> scopes = body.strings("scopes").orElse(List.of());
        for (String scope : scopes) {
            if (!ScopeGrant.wellFormed(scope)) {
                throw JsonBody.invalid("scopes: '" + scope + "' is not a scope (printable ASCII without spaces, "
                        + "optionally ending in '?')");
            }
        }
        return new CreateTokenRequest(sub, org, roles, List.copyOf(audiences), duration, hosts, tokenValidity,
                session, List.copyOf(scopes));
    }

    /** token_validity.start, when given: the instant before which the token is not live (its nbf). */
    public java.time.Instant notBefore() {
        if (tokenValidity == null || !tokenValidity.path("start").isTextual()) {
            return null;
        }
        return Timestamps.parse("token_validity.start", tokenValidity.path("start").asText());
    }

    /** The request as the SDK's CreateTokenRequest model reads it (validations echo it). */
    public ObjectNode toJson() {
        ObjectNode json = Json.object().put("sub", sub).put("org", org);
        if (!roles.isEmpty()) {
            ObjectNode rolesJson = json.putObject("roles");
            roles.forEach(rolesJson::put);
        }
        ArrayNode audienceJson = json.putArray("audiences");
        audiences.forEach(audienceJson::add);
        json.putObject("time_validity").put("duration", durationSeconds);
        if (hosts != null) {
            json.set("hosts", hosts);
        }
        if (tokenValidity != null) {
            json.set("token_validity", tokenValidity);
        }
        if (session != null) {
            json.put("session", session);
        }
        ArrayNode scopeJson = json.putArray("scopes");
        scopes.forEach(scopeJson::add);
        return json;
    }

    /** 400 naming the largest of the fields that become claims when together they pass MAX_CLAIMS_BYTES of JSON. */
    private static void requireClaimsWithinLimit(JsonBody body) {
        int total = 0;
        String largest = null;
        int largestBytes = -1;
        for (String field : CLAIM_FIELDS) {
            int bytes = body.node(field)
                    .map(node -> Json.write(node).getBytes(StandardCharsets.UTF_8).length).orElse(0);
            total += bytes;
            if (bytes > largestBytes) {
                largest = field;
                largestBytes = bytes;
            }
        }
        if (total > MAX_CLAIMS_BYTES) {
            throw JsonBody.invalid(largest + ": " + String.join(", ", CLAIM_FIELDS) + " may hold at most "
                    + MAX_CLAIMS_BYTES + " bytes of JSON together");
        }
    }

    /** sub and org: key fields, so JsonBody.string has already held them to FieldRules' key limit. */
    private static String requiredText(JsonBody body, String field) {
        String value = body.string(field).orElseThrow(() -> JsonBody.invalid(field + ": is required"));
        if (FieldRules.blank(value)) {
            throw JsonBody.invalid(field + ": must be a non-empty string of at most " + FieldRules.MAX_KEY_CHARACTERS
                    + " characters");
        }
        return value;
    }

    private static long duration(JsonNode validity, Duration longestLifetime) {
        JsonNode duration = validity.path("duration");
        if (!validity.isObject() || !duration.isIntegralNumber() || !duration.canConvertToLong()) {
            throw JsonBody.invalid("time_validity.duration: is required, a whole number of seconds");
        }
        long seconds = duration.asLong();
        if (seconds < 1 || seconds > longestLifetime.toSeconds()) {
            throw JsonBody.invalid("time_validity.duration: must be from 1 to " + longestLifetime.toSeconds()
                    + " seconds");
        }
        return seconds;
    }

    /** TokenValidity: start and end ISO-8601 date-times, duration a whole number, each optional. */
    private static ObjectNode tokenValidity(JsonNode node) {
        if (!node.isObject()) {
            throw JsonBody.invalid("token_validity: must be an object with start, duration and end");
        }
        for (String field : List.of("start", "end")) {
            JsonNode value = node.path(field);
            if (value.isMissingNode() || value.isNull()) {
                continue;
            }
            if (!value.isTextual()) {
                throw JsonBody.invalid("token_validity." + field + ": must be an ISO-8601 date-time string");
            }
            Timestamps.parse("token_validity." + field, value.asText());
        }
        JsonNode duration = node.path("duration");
        if (!duration.isMissingNode() && !duration.isNull()
                && !(duration.isIntegralNumber() && duration.canConvertToLong())) {
            throw JsonBody.invalid("token_validity.duration: must be a whole number");
        }
        return (ObjectNode) node;
    }

    private static Map<String, String> roles(JsonBody body) {
        Map<String, String> roles = new LinkedHashMap<>();
        body.node("roles").ifPresent(node -> {
            if (!node.isObject()) {
                throw JsonBody.invalid("roles: must be an object mapping application to role");
            }
            node.fields().forEachRemaining(entry -> {
                if (!entry.getValue().isTextual()) {
                    throw JsonBody.invalid("roles: the role of '" + entry.getKey() + "' must be a string");
                }
                roles.put(entry.getKey(), entry.getValue().asText());
            });
        });
        return roles;
    }

    private static ArrayNode hosts(JsonBody body) {
        return body.node("hosts").map(node -> {
            if (!node.isArray()) {
                throw JsonBody.invalid("hosts: must be an array of host permissions");
            }
            for (JsonNode host : node) {
                if (!host.isObject()) {
                    throw JsonBody.invalid("hosts: every item must be an object");
                }
                for (String text : List.of("upstream_host", "app_id", "admin_org_id")) {
                    if (host.has(text) && !host.get(text).isTextual() && !host.get(text).isNull()) {
                        throw JsonBody.invalid("hosts." + text + ": must be a string");
                    }
                }
                JsonNode rules = host.path("allowed_list");
                if (!rules.isMissingNode() && !rules.isNull() && !rules.isArray()) {
                    throw JsonBody.invalid("hosts.allowed_list: must be an array of rules");
                }
                for (JsonNode rule : rules) {
                    if (!rule.isObject()) {
                        throw JsonBody.invalid("hosts.allowed_list: every rule must be an object");
                    }
                    JsonNode methods = rule.path("methods");
                    if (!methods.isMissingNode() && !methods.isNull() && !methods.isArray()) {
                        throw JsonBody.invalid("hosts.allowed_list.methods: must be an array");
                    }
                    for (JsonNode method : methods) {
                        if (!method.isTextual() || !METHODS.contains(method.asText())) {
                            throw JsonBody.invalid("hosts.allowed_list.methods: must be among " + METHODS);
                        }
                    }
                    JsonNode paths = rule.path("paths");
                    if (!paths.isMissingNode() && !paths.isNull() && !paths.isArray()) {
                        throw JsonBody.invalid("hosts.allowed_list.paths: must be an array of strings");
                    }
                    for (JsonNode path : paths) {
                        if (!path.isTextual()) {
                            throw JsonBody.invalid("hosts.allowed_list.paths: must be an array of strings");
                        }
                    }
                }
            }
            return (ArrayNode) node;
        }).orElse(null);
    }
}
