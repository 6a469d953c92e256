package dev.tokenservice.knetik;

import dev.tokenservice.http.JsonBody;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Knetik's order parameter: a comma-separated list of PROPERTY_NAME:ASC|DESC in priority order (the
 * direction may be left out for ASC). The properties are those of OauthAccessTokenResource a list shows:
 * username and client_id. Ties always fall back to username then client_id, so pages never overlap.
 */
public record SortOrder(List<Entry> entries) {

    public static final Set<String> PROPERTIES = Set.of("username", "client_id");

    public record Entry(String property, boolean ascending) {
    }

    public static SortOrder parse(String order) {
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        if (order != null && !order.isBlank()) {
            for (String part : order.split(",")) {
                String[] pieces = part.trim().split(":", -1);
                String property = pieces[0].trim();
                if (!PROPERTIES.contains(property)) {
                    throw JsonBody.invalid("order: '" + property + "' is not sortable; use username or client_id");
                }
                if (pieces.length > 2) {
                    throw JsonBody.invalid("order: each entry is PROPERTY_NAME:[ASC|DESC]");
                }
                String direction = pieces.length == 2 ? pieces[1].trim().toUpperCase(Locale.ROOT) : "ASC";
                if (!direction.equals("ASC") && !direction.equals("DESC")) {
                    throw JsonBody.invalid("order: the direction of " + property + " must be ASC or DESC");
                }
                if (seen.add(property)) {
                    entries.add(new Entry(property, direction.equals("ASC")));
                }
            }
        }
        for (String property : List.of("username", "client_id")) {
            if (seen.add(property)) {
                entries.add(new Entry(property, true));
            }
        }
        return new SortOrder(List.copyOf(entries));
    }

    /** Whether the property sorts ascending (every property has an entry). */
    public boolean ascending(String property) {
        return entries.stream().filter(e -> e.property().equals(property)).findFirst().map(Entry::ascending)
                .orElse(true);
    }

    /** A user's live tokens at one client, as a list row shows them (without any token value). */
    record TokenPair(String username, String clientId) {
    }
}
