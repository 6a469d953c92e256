package dev.tokenservice.local.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The template's parameters with their defaults, overridden like `sam deploy --parameter-overrides`, and
 * checked against the constraints CloudFormation would check, so that a value that would fail a
 * deployment fails here too.
 */
final class TemplateParameters {

    private TemplateParameters() {
    }

    static Map<String, String> resolve(Map<String, Object> declared, Map<String, String> overrides) {
        List<String> problems = new ArrayList<>();
        overrides.keySet().stream()
                .filter(name -> !declared.containsKey(name))
                .forEach(name -> problems.add("the template has no parameter " + name
                        + " (it has " + String.join(", ", declared.keySet()) + ")"));
        Map<String, String> values = new LinkedHashMap<>();
        declared.forEach((name, definition) -> {
            Map<?, ?> spec = definition instanceof Map<?, ?> map ? map : Map.of();
            String value = overrides.containsKey(name)
                    ? overrides.get(name)
                    : spec.containsKey("Default") ? scalar(spec.get("Default")) : null;
            if (value == null) {
                problems.add("the parameter " + name + " has no default; pass --parameter " + name + "=VALUE");
                return;
            }
            problems.addAll(violations(name, value, spec));
            values.put(name, value);
        });
        if (!problems.isEmpty()) {
            throw new TemplateException(String.join("; ", problems));
        }
        return values;
    }

    /** Each parameter's Type; String when it names none. */
    static Map<String, String> types(Map<String, Object> declared) {
        Map<String, String> types = new LinkedHashMap<>();
        declared.forEach((name, definition) -> types.put(name,
                definition instanceof Map<?, ?> spec && spec.get("Type") != null ? scalar(spec.get("Type")) : "String"));
        return types;
    }

    /** CommaDelimitedList and List<...> parameters are lists when referenced. */
    static boolean isList(String type) {
        return "CommaDelimitedList".equals(type) || type.startsWith("List<");
    }

    private static List<String> violations(String name, String value, Map<?, ?> spec) {
        List<String> problems = new ArrayList<>();
        String type = spec.containsKey("Type") ? scalar(spec.get("Type")) : "String";
        if ("Number".equals(type)) {
            try {
                double number = Double.parseDouble(value);
                if (spec.containsKey("MinValue") && number < Double.parseDouble(scalar(spec.get("MinValue")))) {
                    problems.add(name + "=" + value + " is below its MinValue " + scalar(spec.get("MinValue")));
                }
                if (spec.containsKey("MaxValue") && number > Double.parseDouble(scalar(spec.get("MaxValue")))) {
                    problems.add(name + "=" + value + " is above its MaxValue " + scalar(spec.get("MaxValue")));
                }
            } catch (NumberFormatException notANumber) {
                problems.add(name + "=" + value + " is not a number");
            }
        }
        if (spec.get("AllowedValues") instanceof List<?> allowed
                && allowed.stream().map(TemplateParameters::scalar).noneMatch(value::equals)) {
            problems.add(name + "=" + value + " is not one of " + allowed);
        }
        if (spec.containsKey("AllowedPattern")) {
            String pattern = scalar(spec.get("AllowedPattern"));
            try {
                if (!Pattern.compile(pattern).matcher(value).matches()) {
                    problems.add(name + "=" + value + " does not match " + pattern);
                }
            } catch (PatternSyntaxException unusual) {
                // CloudFormation's pattern dialect is Java's for practical purposes; an odd one is not ours to judge.
            }
        }
        return problems;
    }

    /** YAML reads 3600 as a number and '' as a string; CloudFormation parameters are always strings. */
    private static String scalar(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return String.valueOf(d.longValue());
        }
        return String.valueOf(value);
    }
}
