package dev.tokenservice.oauth;

import dev.tokenservice.config.Settings;
import dev.tokenservice.http.ApiRequest;

/**
 * The issuer identifier (RFC 8414): ISSUER when set (a custom domain), else the URL the request came in
 * on. Tokens carry it as iss and verification demands it, so a token of one stage is refused by another.
 */
public final class Issuer {

    private Issuer() {
    }

    public static String of(Settings settings, ApiRequest request) {
        return settings.issuer().orElseGet(request::baseUrl);
    }
}
