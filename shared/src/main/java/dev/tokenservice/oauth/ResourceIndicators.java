package dev.tokenservice.oauth;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ResourceUris;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * RFC 8707 resource indicators: the resource parameter names where an access token is to be used, and becomes its
 * audience. A client may ask for this service's own audience, and for what its registry entry allows (its
 * resources); anything else is invalid_target, as is a value that is no absolute URI or carries a fragment.
 */
public final class ResourceIndicators {

    /** More than a client may register; a request naming more than this is refused before any lookup. */
    static final int MOST_PER_REQUEST = 12;

    private ResourceIndicators() {
    }

    /** The resource values of a request, each checked for form (RFC 8707 §2), duplicates dropped; empty if none. */
    public static List<String> parse(List<String> values) {
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        if (values.size() > MOST_PER_REQUEST) {
            throw OAuthErrors.invalidTarget("resource: at most " + MOST_PER_REQUEST + " values");
        }
        LinkedHashSet<String> resources = new LinkedHashSet<>();
        for (String value : values) {
            String problem = ResourceUris.problem(value);
            if (problem != null) {
                throw OAuthErrors.invalidTarget("resource: " + problem);
            }
            resources.add(value);
        }
        return List.copyOf(resources);
    }

    /** The audiences the client may ask for: this service's own, then those registered for it. */
    public static List<String> permitted(ClientItem client, String ownAudience) {
        List<String> permitted = new ArrayList<>();
        permitted.add(ownAudience);
        if (client.getResources() != null) {
            client.getResources().stream().filter(resource -> !permitted.contains(resource)).forEach(permitted::add);
        }
        return permitted;
    }

    /** The requested resources when the client may ask for every one; invalid_target naming the first it may not. */
    public static List<String> requirePermitted(List<String> requested, ClientItem client, String ownAudience) {
        List<String> permitted = permitted(client, ownAudience);
        for (String resource : requested) {
            if (!permitted.contains(resource)) {
                throw OAuthErrors.invalidTarget("resource: the client may not ask for " + resource);
            }
        }
        return requested;
    }

    /**
     * What a later token request of the same grant may name: a subset of what the grant holds (RFC 8707 §2.2, a
     * refresh narrows and never widens); nothing requested means all the grant holds.
     */
    public static List<String> narrowed(List<String> requested, List<String> granted) {
        if (requested.isEmpty()) {
            return granted;
        }
        for (String resource : requested) {
            if (!granted.contains(resource)) {
                throw OAuthErrors.invalidTarget("resource: " + resource + " was not granted to this grant");
            }
        }
        return requested;
    }
}
