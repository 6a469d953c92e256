package dev.tokenservice.local.gateway;

import dev.tokenservice.local.template.ApiRoute;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the route of a request the way API Gateway does: first the resource (the most specific path
 * template that matches), then the method on that resource, else its ANY method. A resource without
 * the method does not fall back to a less specific one.
 */
public final class RouteTable {

    record Match(ApiRoute route, Map<String, String> pathParameters) {
    }

    private record Entry(ApiRoute route, PathTemplate template) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public RouteTable(List<ApiRoute> routes) {
        routes.forEach(route -> entries.add(new Entry(route, new PathTemplate(route.path()))));
    }

    Optional<Match> match(String method, String rawPath) {
        List<String> segments = PathTemplate.segmentsOf(rawPath);
        PathTemplate resource = null;
        Map<String, String> parameters = null;
        for (Entry entry : entries) {
            var matched = entry.template().match(segments);
            if (matched.isPresent() && (resource == null || entry.template().compareSpecificity(resource) > 0)) {
                resource = entry.template();
                parameters = matched.get();
            }
        }
        if (resource == null) {
            return Optional.empty();
        }
        String path = resource.path();
        Optional<ApiRoute> route = onResource(path, method).or(() -> onResource(path, "ANY"));
        Map<String, String> found = parameters;
        return route.map(r -> new Match(r, found));
    }

    private Optional<ApiRoute> onResource(String path, String method) {
        return entries.stream()
                .map(Entry::route)
                .filter(r -> r.path().equals(path) && r.method().equalsIgnoreCase(method))
                .findFirst();
    }
}
