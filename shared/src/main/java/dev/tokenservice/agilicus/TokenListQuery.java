package dev.tokenservice.agilicus;

import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.http.Paging;
import dev.tokenservice.time.RelativeDates;
import java.time.Instant;
import java.util.Optional;

/**
 * The Agilicus list_tokens query: limit 1–100 (default 100); exact sub, jti and org; revoked as the SDK
 * writes booleans (True/False) or as JSON does (true/false); issue and expiry windows as dates or relative
 * expressions ("2 hours ago"), inclusive at both ends.
 */
public record TokenListQuery(int limit, String sub, String jti, String org, Boolean revoked,
        Instant issuedFrom, Instant issuedTo, Instant expiresFrom, Instant expiresTo) {

    public static TokenListQuery from(ApiRequest request, Instant now) {
        return new TokenListQuery(
                Paging.limit(request, 1, 100, 100),
                text(request, "sub"),
                text(request, "jti"),
                text(request, "org"),
                request.queryParameter("revoked").map(TokenListQuery::bool).orElse(null),
                date(request, "iat_from", now),
                date(request, "iat_to", now),
                date(request, "exp_from", now),
                date(request, "exp_to", now));
    }

    private static String text(ApiRequest request, String name) {
        return request.queryParameter(name).map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
    }

    /** Exactly one of the document's four spellings: blank or padded is a 400 too, as its enum says. */
    private static Boolean bool(String value) {
        return switch (value) {
            case "True", "true" -> Boolean.TRUE;
            case "False", "false" -> Boolean.FALSE;
            default -> throw JsonBody.invalid("revoked: must be True, False, true or false");
        };
    }

    private static Instant date(ApiRequest request, String name, Instant now) {
        return Optional.ofNullable(text(request, name)).map(value -> RelativeDates.parse(name, value, now)).orElse(null);
    }
}
