package dev.tokenservice.clients;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The form of a resource indicator (RFC 8707 §2): an absolute URI without fragment, here at most 2048 characters.
 * The client registry stores such URIs as the resources a client may ask for, and the token endpoints read them
 * from requests.
 */
public final class ResourceUris {

    private static final int LONGEST = 2048;

    private ResourceUris() {
    }

    /** Why the value is no resource indicator, or null when it is one. */
    public static String problem(String value) {
        if (value == null || value.isEmpty() || value.length() > LONGEST) {
            return "must be an absolute URI of at most " + LONGEST + " characters";
        }
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute()) {
                return "'" + value + "' is not an absolute URI";
            }
            if (uri.getRawFragment() != null) {
                return "'" + value + "' must not have a fragment";
            }
        } catch (URISyntaxException e) {
            return "'" + value + "' is not a URI";
        }
        return null;
    }
}
