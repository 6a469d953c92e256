package dev.tokenservice.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.http.FieldRules;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.JsonBody;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a login front end tells about the person it signed in, beyond the subject: how (amr, acr) and the
 * OpenID Connect standard claims (Core §5.1). The OpenID endpoints serve each profile claim only under the
 * scope that names it (Core §5.4), so a client asking for openid alone learns nothing but the subject.
 */
public record UserClaims(List<String> amr, String acr, ObjectNode profile) {

    public static final UserClaims NONE = new UserClaims(List.of(), null, Json.object());

    /** OpenID Connect Core §5.4: the claims each scope releases. */
    public static final Map<String, List<String>> BY_SCOPE = Map.of(
            "profile", List.of("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
                    "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"),
            "email", List.of("email", "email_verified"),
            "address", List.of("address"),
            "phone", List.of("phone_number", "phone_number_verified"));

    private static final Set<String> BOOLEANS = Set.of("email_verified", "phone_number_verified");
    private static final Set<String> URLS = Set.of("profile", "picture", "website");
    private static final Set<String> ADDRESS_FIELDS = Set.of("formatted", "street_address", "locality", "region",
            "postal_code", "country");
    private static final int LONGEST_TEXT = 512;
    private static final int LONGEST_URL = 2048;
    private static final int MOST_AMR_VALUES = 10;
    private static final int LONGEST_AMR_VALUE = 64;

    /** Every claim name the front end may give. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        List.of("profile", "email", "address", "phone").forEach(scope -> names.addAll(BY_SCOPE.get(scope)));
        return names;
    }

    /**
     * Reads amr, acr and claims from a session request, refusing what an ID token could not carry faithfully:
     * unknown claim names, wrong types, control characters and overlong values, each 400 naming the field.
     */
    public static UserClaims parse(JsonBody body) {
        List<String> amr = body.strings("amr").orElse(List.of());
        if (amr.size() > MOST_AMR_VALUES) {
            throw JsonBody.invalid("amr: at most " + MOST_AMR_VALUES + " values");
        }
        for (String method : amr) {
            if (method.isEmpty() || method.length() > LONGEST_AMR_VALUE || !method.matches("[\\x21-\\x7E]+")) {
                throw JsonBody.invalid("amr: each value must be 1 to " + LONGEST_AMR_VALUE
                        + " printable ASCII characters without spaces");
            }
        }
        String acr = body.string("acr").map(value -> bounded("acr", value, LONGEST_TEXT)).orElse(null);
        ObjectNode profile = Json.object();
        JsonNode given = body.node("claims").orElse(null);
        if (given != null) {
            if (!given.isObject()) {
                throw JsonBody.invalid("claims: must be an object of OpenID Connect standard claims");
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = given.fields(); fields.hasNext(); ) {
                var field = fields.next();
                if (!field.getValue().isNull()) {
                    profile.set(field.getKey(), claim(field.getKey(), field.getValue()));
                }
            }
        }
        return new UserClaims(List.copyOf(amr), acr, profile);
    }

    private static JsonNode claim(String name, JsonNode value) {
        String field = "claims." + name;
        if (!names().contains(name)) {
            throw JsonBody.invalid(field + ": not an OpenID Connect standard claim (one of " + String.join(", ", names())
                    + ")");
        }
        if (BOOLEANS.contains(name)) {
            if (!value.isBoolean()) {
                throw JsonBody.invalid(field + ": must be true or false");
            }
            return value;
        }
        if (name.equals("updated_at")) {
            if (!value.isIntegralNumber() || value.asLong() < 0) {
                throw JsonBody.invalid(field + ": must be a time in seconds since the epoch");
            }
            return value;
        }
        if (name.equals("address")) {
            if (!value.isObject()) {
                throw JsonBody.invalid(field + ": must be an object (Core §5.1.1)");
            }
            ObjectNode address = Json.object();
            for (Iterator<Map.Entry<String, JsonNode>> parts = value.fields(); parts.hasNext(); ) {
                var part = parts.next();
                if (!ADDRESS_FIELDS.contains(part.getKey())) {
                    throw JsonBody.invalid(field + "." + part.getKey() + ": not a field of an address (one of "
                            + String.join(", ", ADDRESS_FIELDS) + ")");
                }
                if (!part.getValue().isTextual()) {
                    throw JsonBody.invalid(field + "." + part.getKey() + ": must be a string");
                }
                address.put(part.getKey(), bounded(field + "." + part.getKey(), part.getValue().asText(), LONGEST_TEXT));
            }
            return address;
        }
        if (!value.isTextual()) {
            throw JsonBody.invalid(field + ": must be a string");
        }
        return Json.MAPPER.getNodeFactory().textNode(
                bounded(field, value.asText(), URLS.contains(name) ? LONGEST_URL : LONGEST_TEXT));
    }

    private static String bounded(String field, String value, int longest) {
        FieldRules.printable(field, value);
        if (FieldRules.blank(value)) {
            throw JsonBody.invalid(field + ": must not be blank");
        }
        if (FieldRules.characters(value) > longest) {
            throw JsonBody.invalid(field + ": must be at most " + longest + " characters");
        }
        return value;
    }

    /** The profile claims the given scopes release (Core §5.4). */
    public Map<String, Object> releasedBy(List<String> scopes) {
        Map<String, Object> released = new LinkedHashMap<>();
        for (String scope : scopes) {
            for (String name : BY_SCOPE.getOrDefault(scope, List.of())) {
                JsonNode value = profile.get(name);
                if (value != null) {
                    released.put(name, Json.MAPPER.convertValue(value, Object.class));
                }
            }
        }
        return released;
    }

    /** Only the claims some scope in the list releases, with amr and acr: what a grant may keep of the session. */
    public UserClaims keptFor(List<String> scopes) {
        ObjectNode kept = Json.object();
        releasedBy(scopes).keySet().forEach(name -> kept.set(name, profile.get(name)));
        return new UserClaims(amr, acr, kept);
    }

    /** How a page addresses the person: name, else preferred_username, else null. */
    public String displayName() {
        for (String name : List.of("name", "preferred_username")) {
            JsonNode value = profile.get(name);
            if (value != null && value.isTextual() && !value.asText().isBlank()) {
                return value.asText();
            }
        }
        return null;
    }

    public boolean isEmpty() {
        return amr.isEmpty() && acr == null && profile.isEmpty();
    }

    /** The stored form (a code's or a refresh token's row): compact JSON, or null when there is nothing. */
    public String toJson() {
        if (isEmpty()) {
            return null;
        }
        ObjectNode stored = Json.object();
        if (!amr.isEmpty()) {
            amr.forEach(stored.putArray("amr")::add);
        }
        if (acr != null) {
            stored.put("acr", acr);
        }
        if (!profile.isEmpty()) {
            stored.set("claims", profile);
        }
        return stored.toString();
    }

    /** Reads the stored form back; null or empty is no claims. */
    public static UserClaims fromJson(String stored) {
        if (stored == null || stored.isEmpty()) {
            return NONE;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(stored);
            List<String> amr = new ArrayList<>();
            node.path("amr").forEach(value -> amr.add(value.asText()));
            String acr = node.hasNonNull("acr") ? node.get("acr").asText() : null;
            ObjectNode profile = node.get("claims") instanceof ObjectNode claims ? claims.deepCopy() : Json.object();
            return new UserClaims(List.copyOf(amr), acr, profile);
        } catch (JsonProcessingException corrupt) {
            throw new IllegalStateException("stored user claims are not JSON", corrupt);
        }
    }
}
