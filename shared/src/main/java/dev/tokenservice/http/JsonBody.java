package dev.tokenservice.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A JSON object request body read field by field: a wrong type is a 400 that names the field, so a
 * caller never gets a parser's message or a half-applied request.
 */
public final class JsonBody {

    /** Anything after the JSON value but whitespace is an error: "{...}}" must not be acted on as "{...}". */
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JsonNode root;

    private JsonBody(JsonNode root) {
        this.root = root;
    }

    public static JsonBody parse(ApiRequest request) {
        if (request.header("content-type").isPresent() && !request.hasContentType("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "the request body must be application/json");
        }
        String body = request.body();
        if (body.isBlank()) {
            throw invalid("the request body must be a JSON object");
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (StreamConstraintsException tooLargeOrDeep) {
            // Jackson's limits (nesting depth 1000, number and string lengths) guard the parser's stack and memory.
            throw invalid("the request body is nested too deeply or holds a value too large");
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw invalid("the request body is not valid JSON" + (where == null ? ""
                    : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw invalid("the request body must be a JSON object");
        }
        return new JsonBody(root);
    }

    public boolean has(String field) {
        return root.has(field) && !root.get(field).isNull();
    }

    public Optional<String> string(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = root.get(field);
        if (!value.isTextual()) {
            throw invalid(field + ": must be a string");
        }
        return Optional.of(FieldRules.checked(field, value.asText()));
    }

    public Optional<Boolean> bool(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = root.get(field);
        if (!value.isBoolean()) {
            throw invalid(field + ": must be true or false");
        }
        return Optional.of(value.asBoolean());
    }

    /** The raw value of a field (an object or array that the caller reads further), absent when null. */
    public Optional<JsonNode> node(String field) {
        return has(field) ? Optional.of(root.get(field)) : Optional.empty();
    }

    /** A whole number (a JSON integer, not a string or a fraction), naming the field when it is not one. */
    public Optional<Long> integer(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = root.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(field + ": must be an integer");
        }
        return Optional.of(value.asLong());
    }

    public Optional<List<String>> strings(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = root.get(field);
        if (!value.isArray()) {
            throw invalid(field + ": must be an array of strings");
        }
        List<String> items = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid(field + ": must be an array of strings");
            }
            items.add(item.asText());
        }
        return Optional.of(items);
    }

    public static ApiError invalid(String description) {
        return new ApiError(400, "invalid_request", description);
    }
}
