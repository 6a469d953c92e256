package dev.tokenservice.local.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates CloudFormation intrinsic functions (long form) the way a deployment would, as far as that is
 * possible on this machine: parameters, pseudo parameters, conditions, mappings and string functions
 * resolve; a Ref to a resource resolves only when the caller gave the resource a local name; attributes
 * of deployed resources (Fn::GetAtt, Fn::ImportValue, ...) cannot, and say so.
 */
public final class Intrinsics {

    /** The region and account the local stand-ins pretend to live in. */
    public static final String LOCAL_REGION = "us-east-1";
    public static final String LOCAL_ACCOUNT = "000000000000";

    /** What AWS::NoValue resolves to: the surrounding map entry or list element disappears. */
    private static final Object NO_VALUE = new Object();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]*)}");

    private final Map<String, String> parameters;
    private final Map<String, String> parameterTypes;
    private final Map<String, Object> conditions;
    private final Map<String, Object> mappings;
    private final Set<String> resourceIds;
    private final Map<String, String> resourceNames;
    private final Map<String, String> pseudoParameters;

    Intrinsics(Map<String, String> parameters, Map<String, String> parameterTypes, Map<String, Object> conditions,
            Map<String, Object> mappings, Set<String> resourceIds, Map<String, String> resourceNames, String stackName) {
        this.parameters = parameters;
        this.parameterTypes = parameterTypes;
        this.conditions = conditions;
        this.mappings = mappings;
        this.resourceIds = resourceIds;
        this.resourceNames = resourceNames;
        this.pseudoParameters = Map.of(
                "AWS::Region", LOCAL_REGION,
                "AWS::AccountId", LOCAL_ACCOUNT,
                "AWS::Partition", "aws",
                "AWS::URLSuffix", "amazonaws.com",
                "AWS::StackName", stackName,
                "AWS::StackId", "arn:aws:cloudformation:" + LOCAL_REGION + ":" + LOCAL_ACCOUNT + ":stack/"
                        + stackName + "/local");
    }

    /** The same evaluation, with resources that Ref may name locally (a table's local name, say). */
    Intrinsics withResourceNames(Map<String, String> names) {
        return new Intrinsics(parameters, parameterTypes, conditions, mappings, resourceIds, names,
                pseudoParameters.get("AWS::StackName"));
    }

    /** Resolves every intrinsic in a value; maps and lists are resolved deeply. */
    Object resolve(Object value) {
        Object resolved = evaluate(value);
        return resolved == NO_VALUE ? null : resolved;
    }

    String text(Object value) {
        Object resolved = resolve(value);
        if (resolved instanceof Map || resolved instanceof List) {
            throw new TemplateException("expected a single value, found " + resolved);
        }
        return resolved == null ? null : String.valueOf(resolved);
    }

    double number(Object value) {
        String text = text(value);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException | NullPointerException e) {
            throw new TemplateException("expected a number, found " + text);
        }
    }

    boolean bool(Object value) {
        Object resolved = resolve(value);
        if (resolved instanceof Boolean b) {
            return b;
        }
        String text = String.valueOf(resolved);
        if ("true".equalsIgnoreCase(text) || "false".equalsIgnoreCase(text)) {
            return Boolean.parseBoolean(text);
        }
        throw new TemplateException("expected true or false, found " + text);
    }

    boolean condition(String name) {
        return condition(name, new HashSet<>());
    }

    private boolean condition(String name, Set<String> evaluating) {
        if (!conditions.containsKey(name)) {
            throw new TemplateException("the template has no condition " + name);
        }
        if (!evaluating.add(name)) {
            throw new TemplateException("the condition " + name + " refers to itself");
        }
        Object result = evaluateCondition(conditions.get(name), evaluating);
        evaluating.remove(name);
        return (Boolean) result;
    }

    private Object evaluateCondition(Object value, Set<String> evaluating) {
        if (value instanceof Map<?, ?> map && map.size() == 1 && "Condition".equals(map.keySet().iterator().next())) {
            return condition(String.valueOf(map.get("Condition")), evaluating);
        }
        Object resolved = evaluate(value);
        if (!(resolved instanceof Boolean)) {
            throw new TemplateException("a condition must evaluate to true or false, found " + resolved);
        }
        return resolved;
    }

    private Object evaluate(Object value) {
        if (value instanceof List<?> list) {
            List<Object> resolved = new ArrayList<>();
            for (Object element : list) {
                Object r = evaluate(element);
                if (r != NO_VALUE) {
                    resolved.add(r);
                }
            }
            return resolved;
        }
        if (!(value instanceof Map<?, ?> map)) {
            return value;
        }
        if (map.size() == 1) {
            String key = String.valueOf(map.keySet().iterator().next());
            if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
                return function(key, map.get(key));
            }
        }
        Map<String, Object> resolved = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Object r = evaluate(v);
            if (r != NO_VALUE) {
                resolved.put(String.valueOf(k), r);
            }
        });
        return resolved;
    }

    private Object function(String name, Object argument) {
        return switch (name) {
            case "Ref" -> ref(String.valueOf(argument));
            case "Condition" -> condition(String.valueOf(argument));
            case "Fn::If" -> {
                List<?> args = arguments(name, argument, 3);
                yield condition(String.valueOf(args.get(0))) ? evaluate(args.get(1)) : evaluate(args.get(2));
            }
            case "Fn::Equals" -> {
                List<?> args = arguments(name, argument, 2);
                yield String.valueOf(evaluate(args.get(0))).equals(String.valueOf(evaluate(args.get(1))));
            }
            case "Fn::Not" -> !conditionValue(arguments(name, argument, 1).get(0));
            case "Fn::And" -> arguments(name, argument, -1).stream().allMatch(this::conditionValue);
            case "Fn::Or" -> arguments(name, argument, -1).stream().anyMatch(this::conditionValue);
            case "Fn::Sub" -> sub(argument);
            case "Fn::Join" -> {
                List<?> args = arguments(name, argument, 2);
                List<String> parts = new ArrayList<>();
                for (Object part : asList(name, evaluate(args.get(1)))) {
                    parts.add(String.valueOf(part));
                }
                yield String.join(String.valueOf(evaluate(args.get(0))), parts);
            }
            case "Fn::Select" -> {
                List<?> args = arguments(name, argument, 2);
                int index = (int) Double.parseDouble(String.valueOf(evaluate(args.get(0))));
                List<?> list = asList(name, evaluate(args.get(1)));
                if (index < 0 || index >= list.size()) {
                    throw new TemplateException("Fn::Select index " + index + " is outside " + list);
                }
                yield list.get(index);
            }
            case "Fn::Split" -> {
                List<?> args = arguments(name, argument, 2);
                String delimiter = String.valueOf(evaluate(args.get(0)));
                yield List.of(String.valueOf(evaluate(args.get(1))).split(Pattern.quote(delimiter), -1));
            }
            case "Fn::FindInMap" -> findInMap(arguments(name, argument, 3));
            case "Fn::Base64" -> Base64.getEncoder().encodeToString(
                    String.valueOf(evaluate(argument)).getBytes(StandardCharsets.UTF_8));
            default -> throw new OnlyInAws(name + " " + argument);
        };
    }

    private boolean conditionValue(Object value) {
        return (Boolean) evaluateCondition(value, new HashSet<>());
    }

    private Object ref(String name) {
        if (parameters.containsKey(name)) {
            String value = parameters.get(name);
            if (TemplateParameters.isList(parameterTypes.getOrDefault(name, "String"))) {
                // As in CloudFormation, an empty list parameter is one empty string, not no element.
                return Arrays.stream(value.split(",", -1)).map(String::trim).toList();
            }
            return value;
        }
        if ("AWS::NoValue".equals(name)) {
            return NO_VALUE;
        }
        if (pseudoParameters.containsKey(name)) {
            return pseudoParameters.get(name);
        }
        if (resourceNames.containsKey(name)) {
            return resourceNames.get(name);
        }
        if (resourceIds.contains(name)) {
            throw new OnlyInAws("Ref " + name);
        }
        throw new TemplateException("Ref " + name + " names no parameter or resource of the template");
    }

    private String sub(Object argument) {
        String template;
        Map<?, ?> variables = Map.of();
        if (argument instanceof List<?> args) {
            if (args.size() != 2 || !(args.get(1) instanceof Map<?, ?> vars)) {
                throw new TemplateException("Fn::Sub takes a string or [string, {variables}]");
            }
            template = String.valueOf(evaluate(args.get(0)));
            variables = vars;
        } else {
            template = String.valueOf(argument);
        }
        Matcher matcher = SUB_VARIABLE.matcher(template);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(2).trim();
            String replacement;
            if (!matcher.group(1).isEmpty()) {
                replacement = "${" + matcher.group(2) + "}";
            } else if (variables.containsKey(variable)) {
                replacement = String.valueOf(evaluate(variables.get(variable)));
            } else if (variable.contains(".")) {
                throw new OnlyInAws("Fn::Sub ${" + variable + "}");
            } else {
                replacement = String.valueOf(ref(variable));
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private Object findInMap(List<?> args) {
        String mapName = String.valueOf(evaluate(args.get(0)));
        String topKey = String.valueOf(evaluate(args.get(1)));
        String secondKey = String.valueOf(evaluate(args.get(2)));
        Object map = mappings.get(mapName);
        Object top = map instanceof Map<?, ?> m ? m.get(topKey) : null;
        Object value = top instanceof Map<?, ?> t ? t.get(secondKey) : null;
        if (value == null) {
            throw new TemplateException("Fn::FindInMap finds nothing at " + mapName + "." + topKey + "." + secondKey);
        }
        return evaluate(value);
    }

    private static List<?> arguments(String function, Object argument, int count) {
        if (!(argument instanceof List<?> list) || (count >= 0 && list.size() != count)) {
            throw new TemplateException(function + " takes " + (count >= 0 ? count + " arguments" : "a list")
                    + ", found " + argument);
        }
        return list;
    }

    private static List<?> asList(String function, Object value) {
        if (!(value instanceof List<?> list)) {
            throw new TemplateException(function + " expects a list, found " + value);
        }
        return list;
    }

    /** A value that exists only once the stack is deployed: an ARN, an attribute, another stack's export. */
    static final class OnlyInAws extends TemplateException {
        OnlyInAws(String expression) {
            super(expression + " has a value only in a deployed stack");
        }
    }
}
