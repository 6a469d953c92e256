package dev.tokenservice.local.gateway;

import dev.tokenservice.local.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An API Gateway resource path: literal segments, {name} for one segment, {name+} (last) for the rest
 * of the path.
 */
final class PathTemplate {

    private final String path;
    private final List<String> segments;

    PathTemplate(String path) {
        this.path = path;
        this.segments = segmentsOf(path);
        for (int i = 0; i < segments.size() - 1; i++) {
            if (isGreedy(segments.get(i))) {
                throw new TemplateException("the greedy parameter in " + path + " must be its last segment");
            }
        }
    }

    String path() {
        return path;
    }

    /** The path parameters (values as sent, still percent-encoded, as API Gateway passes them), if it matches. */
    Optional<Map<String, String>> match(List<String> requestSegments) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (isGreedy(segment)) {
                if (i >= requestSegments.size()) {
                    return Optional.empty();
                }
                parameters.put(name(segment), String.join("/", requestSegments.subList(i, requestSegments.size())));
                return Optional.of(parameters);
            }
            if (i >= requestSegments.size()) {
                return Optional.empty();
            }
            String value = requestSegments.get(i);
            if (isParameter(segment)) {
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(name(segment), value);
            } else if (!segment.equals(value)) {
                return Optional.empty();
            }
        }
        return segments.size() == requestSegments.size() ? Optional.of(parameters) : Optional.empty();
    }

    /**
     * How specific the template is, position by position (literal 2, parameter 1, greedy 0): API Gateway
     * prefers /items/new over /items/{id}, and both over /items/{proxy+}.
     */
    int compareSpecificity(PathTemplate other) {
        for (int i = 0; i < Math.max(segments.size(), other.segments.size()); i++) {
            int mine = i < segments.size() ? rank(segments.get(i)) : -1;
            int theirs = i < other.segments.size() ? rank(other.segments.get(i)) : -1;
            if (mine != theirs) {
                return Integer.compare(mine, theirs);
            }
        }
        return 0;
    }

    /** "/a/b/" and "/a/b" are one resource for API Gateway; the leading slash starts no segment. */
    static List<String> segmentsOf(String path) {
        List<String> segments = new ArrayList<>(List.of(path.split("/", -1)));
        if (!segments.isEmpty() && segments.get(0).isEmpty()) {
            segments.remove(0);
        }
        if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        return segments;
    }

    private static int rank(String segment) {
        return isGreedy(segment) ? 0 : isParameter(segment) ? 1 : 2;
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static boolean isGreedy(String segment) {
        return isParameter(segment) && segment.endsWith("+}");
    }

    private static String name(String segment) {
        return segment.substring(1, segment.length() - (isGreedy(segment) ? 2 : 1));
    }
}
