package dev.tokenservice.clients;

import dev.tokenservice.http.FieldRules;
import dev.tokenservice.http.JsonBody;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * DocSpace's validation rules for client fields: the SDK's regexes and lengths (so whatever the SDK
 * accepts is judged the same here) combined with the DocSpace server's own requirements.
 */
final class ClientFields {

    /** The SDK's URL rule: a dotted host name with a TLD, or an IPv4 address, optional port and path. */
    private static final Pattern URL = Pattern.compile(
            "^(https?://)?([a-zA-Z0-9-]+\\.)+[a-zA-Z]{2,}(:\\d+)?(/[a-zA-Z0-9-._~:/?#\\[\\]@!$&'()*+,;=]*)?$"
                    + "|^https?://(\\d{1,3}\\.){3}\\d{1,3}(:\\d+)?(/[a-zA-Z0-9-._~:/?#\\[\\]@!$&'()*+,;=]*)?$");
    private static final Pattern LOGO = Pattern.compile("^data:image/(?:png|jpeg|jpg|svg\\+xml);base64,(.+)$");
    private static final int MAX_LOGO_CHARS = 2_000_000;
    private static final int MAX_LOGO_BYTES = 256_000;
    private static final int MAX_URIS = 12;
    // Every URL field at this length, the largest logo and the longest name and description still fit one
    // DynamoDB item (400 KB; ClientManagementTest stores such a client); without a limit, long URLs passed the
    // item limit and the write failed with a 500.
    private static final int MAX_URL_CHARS = 2048;

    private ClientFields() {
    }

    static String name(JsonBody body) {
        String name = required(body.string("name"), "name");
        int characters = FieldRules.characters(name);
        if (FieldRules.blank(name) || characters < 3 || characters > 256) {
            throw JsonBody.invalid("name: must be between 3 and 256 characters");
        }
        return FieldRules.printable("name", name);
    }

    static String description(JsonBody body) {
        String description = body.string("description").orElse(null);
        if (description != null && FieldRules.characters(description) > 255) {
            throw JsonBody.invalid("description: must be at most 255 characters");
        }
        return description;
    }

    static String logo(JsonBody body) {
        String logo = required(body.string("logo"), "logo");
        if (FieldRules.characters(logo) > MAX_LOGO_CHARS) {
            throw JsonBody.invalid("logo: must be at most " + MAX_LOGO_CHARS + " characters");
        }
        var match = LOGO.matcher(logo);
        if (!match.matches()) {
            throw JsonBody.invalid("logo: must be a data URI of a png, jpeg or svg+xml image in base64");
        }
        byte[] image;
        try {
            // Strict base64: the MIME decoder skipped any character outside the alphabet, so "p9Rx*" passed.
            image = Base64.getDecoder().decode(match.group(1));
        } catch (IllegalArgumentException notBase64) {
            throw JsonBody.invalid("logo: the image data is not valid base64");
        }
        if (image.length > MAX_LOGO_BYTES) {
            throw JsonBody.invalid("logo: the image must be at most " + MAX_LOGO_BYTES + " bytes");
        }
        return logo;
    }

    static String url(JsonBody body, String field) {
        String url = required(body.string(field), field);
        requireUrlLength(field, url);
        if (!URL.matcher(url).matches()) {
            throw JsonBody.invalid(field + ": must be an http or https URL with a host name");
        }
        return url;
    }

    /** Redirect URIs and origins: 1 to 12 absolute http(s) URLs without fragment, duplicates dropped. */
    static List<String> urlList(JsonBody body, String field) {
        List<String> values = required(body.strings(field), field);
        if (values.isEmpty() || values.size() > MAX_URIS) {
            throw JsonBody.invalid(field + ": must hold between 1 and " + MAX_URIS + " URLs");
        }
        for (String value : values) {
            requireUrlLength(field, value);
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw JsonBody.invalid(field + ": '" + value + "' is not a URL");
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw JsonBody.invalid(field + ": '" + value + "' must be an absolute http or https URL");
            }
            if (uri.getRawUserInfo() != null) {
                // The logout URI's pattern refuses user:password@ too; a credential in a redirect URI leaks it.
                throw JsonBody.invalid(field + ": '" + value + "' must not hold a user name or password");
            }
            if (uri.getRawFragment() != null) {
                throw JsonBody.invalid(field + ": '" + value + "' must not have a fragment");
            }
        }
        return List.copyOf(new LinkedHashSet<>(values));
    }

    private static void requireUrlLength(String field, String url) {
        if (FieldRules.characters(url) > MAX_URL_CHARS) {
            throw JsonBody.invalid(field + ": a URL must be at most " + MAX_URL_CHARS + " characters");
        }
    }

    static List<String> scopes(JsonBody body) {
        List<String> scopes = required(body.strings("scopes"), "scopes");
        if (scopes.isEmpty()) {
            throw JsonBody.invalid("scopes: at least one scope is required");
        }
        return List.copyOf(new LinkedHashSet<>(scopes));
    }

    /**
     * The optional resources a client may ask tokens for (RFC 8707): up to 12 absolute URIs without fragment,
     * duplicates dropped; null when the field is absent (DocSpace's SDKs never send it).
     */
    static List<String> resources(JsonBody body) {
        Optional<List<String>> given = body.strings("resources");
        if (given.isEmpty()) {
            return null;
        }
        List<String> values = given.get();
        if (values.size() > MAX_URIS) {
            throw JsonBody.invalid("resources: must hold at most " + MAX_URIS + " URIs");
        }
        for (String value : values) {
            String problem = ResourceUris.problem(value);
            if (problem != null) {
                throw JsonBody.invalid("resources: " + problem);
            }
        }
        return List.copyOf(new LinkedHashSet<>(values));
    }

    /** is_public is accepted and ignored, as DocSpace's server does (clients are always public there), but must be a boolean. */
    static void ignoredIsPublic(JsonBody body) {
        body.bool("is_public");
    }

    /** token_endpoint_auth_method (RFC 7591): absent for DocSpace's own clients, else one of the registrable methods. */
    static String authMethod(JsonBody body) {
        String method = body.string("token_endpoint_auth_method").orElse(null);
        if (method != null && !ClientAuthMethods.REGISTRABLE.contains(method)) {
            throw JsonBody.invalid("token_endpoint_auth_method: must be one of "
                    + String.join(", ", ClientAuthMethods.REGISTRABLE));
        }
        return method;
    }

    /**
     * jwks (a JWK set object of public keys) or jwks_uri (https), at most one of them; null when neither is given.
     * Whether plain http to a loopback host is allowed is the deployment's call, checked when the client is stored.
     */
    static ClientKeys keys(JsonBody body) {
        var jwks = body.node("jwks");
        var jwksUri = body.string("jwks_uri");
        if (jwks.isPresent() && jwksUri.isPresent()) {
            throw JsonBody.invalid("jwks: give jwks or jwks_uri, not both");
        }
        if (jwks.isPresent()) {
            if (!jwks.get().isObject()) {
                throw JsonBody.invalid("jwks: must be a JWK set object ({\"keys\": [...]})");
            }
            String json = jwks.get().toString();
            ClientKeys.publicKeySet(json, JsonBody::invalid);
            return new ClientKeys(json, null);
        }
        if (jwksUri.isPresent()) {
            ClientKeys.jwksUri(jwksUri.get(), true, JsonBody::invalid);
            return new ClientKeys(null, jwksUri.get());
        }
        return null;
    }

    private static <T> T required(Optional<T> value, String field) {
        return value.orElseThrow(() -> JsonBody.invalid(field + ": is required"));
    }
}
