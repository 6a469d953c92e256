package dev.tokenservice.broker;

import dev.tokenservice.concurrent.Lazy;
import dev.tokenservice.config.Settings;
import dev.tokenservice.scopes.ScopeStrings;
import dev.tokenservice.sessions.UserClaims;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An upstream OpenID provider people sign in with (identity brokering): its issuer (everything else comes from
 * its discovery document), this service's client there, the scopes asked for, and how its claims become the
 * session's: which claim is the subject (none configured: a stable value derived from the upstream's iss and
 * sub, never the e-mail address, which people change and providers reassign) and which become profile claims.
 *
 * @param profileClaims session profile claim name to the upstream claim it is read from
 */
public record Upstream(String id, String issuer, String clientId, Supplier<String> clientSecret, List<String> scopes,
        Optional<String> subjectClaim, Map<String, String> profileClaims) {

    static final String DEFAULT_SCOPES = "openid profile email";
    static final String DEFAULT_PROFILE_CLAIMS = "name,given_name,family_name,preferred_username,email,email_verified";

    /**
     * The upstream the settings configure, when UPSTREAM_ISSUER_URL is set. The client secret is read on first use
     * (a Secrets Manager secret on AWS, UPSTREAM_CLIENT_SECRET where no Secrets Manager exists, as for the pepper).
     */
    public static Optional<Upstream> configured(Settings settings, Supplier<String> secretFromArn) {
        return settings.upstreamIssuer().map(issuer -> {
            String clientId = settings.optional("UPSTREAM_CLIENT_ID").filter(id -> !id.isBlank()).orElseThrow(
                    () -> new IllegalStateException("UPSTREAM_ISSUER_URL is set but UPSTREAM_CLIENT_ID is not"));
            Supplier<String> secret = settings.optional("UPSTREAM_CLIENT_SECRET").filter(s -> !s.isEmpty())
                    .<Supplier<String>>map(inline -> () -> inline).orElse(secretFromArn);
            List<String> scopes = ScopeStrings.split(settings.optional("UPSTREAM_SCOPES").filter(s -> !s.isBlank())
                    .orElse(DEFAULT_SCOPES));
            if (!scopes.contains("openid")) {
                throw new IllegalStateException("UPSTREAM_SCOPES must include openid");
            }
            return new Upstream(settings.upstreamId(), issuer, clientId, new Lazy<>(secret), scopes,
                    settings.optional("UPSTREAM_SUBJECT_CLAIM").map(String::trim).filter(claim -> !claim.isEmpty()),
                    profileClaims(settings.optional("UPSTREAM_PROFILE_CLAIMS").orElse(DEFAULT_PROFILE_CLAIMS)));
        });
    }

    /**
     * "name,email,nickname=preferred_username": each entry a profile claim read from the upstream claim of the
     * same name, or from the named upstream claim after "=". Only OpenID Connect standard claims may be profile
     * claims (the OpenID endpoints release each under its scope).
     */
    static Map<String, String> profileClaims(String mapping) {
        Map<String, String> claims = new LinkedHashMap<>();
        for (String entry : mapping.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String target = (eq < 0 ? entry : entry.substring(0, eq)).trim();
            String source = (eq < 0 ? entry : entry.substring(eq + 1)).trim();
            if (!UserClaims.names().contains(target) || source.isEmpty()) {
                throw new IllegalStateException("UPSTREAM_PROFILE_CLAIMS: '" + entry.trim() + "' must name an OpenID"
                        + " Connect standard claim, optionally =upstream_claim");
            }
            claims.put(target, source);
        }
        return Map.copyOf(claims);
    }

    /** The callback URL to register at the upstream as this service's redirect URI. */
    public String redirectUri(String issuerUrl) {
        return issuerUrl + "/oauth2/upstream/" + id + "/callback";
    }
}
