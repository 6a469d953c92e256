package dev.tokenservice.tokens.query;

import dev.tokenservice.tokens.TokenKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A DynamoDB filter expression built condition by condition (all must hold). It always keeps access
 * tokens only, since the client and subject indexes also hold refresh tokens and codes.
 */
public final class TokenFilters {

    private final List<String> conditions = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();

    public TokenFilters() {
        names.put("#kind", "kind");
        values.put(":kind", AttributeValue.fromS(TokenKeys.ACCESS_TOKEN));
        conditions.add("#kind = :kind");
    }

    public TokenFilters equal(String attribute, String value) {
        String name = name(attribute);
        String placeholder = ":v" + values.size();
        values.put(placeholder, AttributeValue.fromS(value));
        conditions.add(name + " = " + placeholder);
        return this;
    }

    public TokenFilters atLeast(String attribute, long value) {
        return compare(attribute, ">=", value);
    }

    public TokenFilters atMost(String attribute, long value) {
        return compare(attribute, "<=", value);
    }

    public TokenFilters greaterThan(String attribute, long value) {
        return compare(attribute, ">", value);
    }

    public TokenFilters notFlagged(String attribute) {
        String name = name(attribute);
        values.putIfAbsent(":false", AttributeValue.fromBool(false));
        conditions.add("(attribute_not_exists(" + name + ") OR " + name + " = :false)");
        return this;
    }

    public TokenFilters present(String attribute) {
        conditions.add("attribute_exists(" + name(attribute) + ")");
        return this;
    }

    public Expression expression() {
        return Expression.builder()
                .expression(String.join(" AND ", conditions))
                .expressionNames(names)
                .expressionValues(values)
                .build();
    }

    private TokenFilters compare(String attribute, String operator, long value) {
        String name = name(attribute);
        String placeholder = ":v" + values.size();
        values.put(placeholder, AttributeValue.fromN(Long.toString(value)));
        conditions.add(name + " " + operator + " " + placeholder);
        return this;
    }

    private String name(String attribute) {
        String name = "#" + attribute;
        names.put(name, attribute);
        return name;
    }
}
