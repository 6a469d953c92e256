package dev.tokenservice.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting the service reads, in one place, so that the configuration table (docs/operations.md) has one source.
 * Lambda supplies them as environment variables; the local runner, which hosts every function in one JVM,
 * supplies them as system properties of the same names.
 */
public final class Settings {

    private final Function<String, String> source;

    public Settings(Function<String, String> source) {
        this.source = source;
    }

    public static Settings fromEnvironment() {
        return new Settings(name -> {
            String value = System.getenv(name);
            return value != null ? value : System.getProperty(name);
        });
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values::get);
    }

    public Optional<String> optional(String name) {
        String value = source.apply(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalStateException("missing setting " + name));
    }

    public String clientsTable() {
        return optional("CLIENTS_TABLE").orElse("clients");
    }

    public String tokensTable() {
        return optional("TOKENS_TABLE").orElse("tokens");
    }

    public String consentsTable() {
        return optional("CONSENTS_TABLE").orElse("consents");
    }

    /** Fixed issuer (a custom domain); otherwise derived from the API Gateway request. */
    public Optional<String> issuer() {
        return optional("ISSUER").map(Settings::withoutTrailingSlash);
    }

    /** The audience put in client_credentials tokens when the request names no resource. */
    public Optional<String> defaultAudience() {
        return optional("TOKEN_AUDIENCE");
    }

    public Duration accessTokenTtl() {
        return Duration.ofSeconds(Long.parseLong(optional("ACCESS_TOKEN_TTL_SECONDS").orElse("3600")));
    }

    /** Lifetime of an OpenID Connect ID token (its exp); the session it names may live on. */
    public Duration idTokenTtl() {
        return Duration.ofSeconds(Long.parseLong(optional("ID_TOKEN_TTL_SECONDS").orElse("3600")));
    }

    /**
     * The login front end a browser is sent to when a request needs a sign-in its session cannot give (the
     * template's LoginUrl); absent: the client hears login_required instead.
     */
    public Optional<String> loginUrl() {
        return optional("LOGIN_URL").filter(url -> !url.isBlank())
                .or(() -> upstreamIssuer().map(upstream -> "/oauth2/upstream/" + upstreamId() + "/start"));
    }

    /** The upstream OpenID provider people sign in with (identity brokering); absent: brokering is off. */
    public Optional<String> upstreamIssuer() {
        // As the provider writes it (a trailing slash included): its ID tokens name exactly this issuer.
        return optional("UPSTREAM_ISSUER_URL").filter(url -> !url.isBlank()).map(String::trim);
    }

    /** The upstream's name in its routes (/oauth2/upstream/{id}/...) and in the sessions it vouches for. */
    public String upstreamId() {
        return optional("UPSTREAM_ID").filter(id -> !id.isBlank()).orElse("idp");
    }

    /**
     * Whether every DPoP proof at the token endpoint must carry a nonce this service handed out (RFC 9449 §8), which
     * limits a proof made ahead of time to the nonce's lifetime; the template's DpopNonceRequired.
     */
    public boolean dpopNonceRequired() {
        return "true".equalsIgnoreCase(optional("DPOP_NONCE_REQUIRED").orElse("false"));
    }

    /** How long a DPoP nonce is handed out; it is accepted for up to twice that. */
    public Duration dpopNonceLifetime() {
        return Duration.ofSeconds(Long.parseLong(optional("DPOP_NONCE_SECONDS").orElse("300")));
    }

    /** Lifetime of a browser session minted for a login front end (a working day by default, as Keycloak's 10 h). */
    public Duration sessionTtl() {
        return Duration.ofSeconds(Long.parseLong(optional("SESSION_TTL_SECONDS").orElse("36000")));
    }

    /** KMS key (id, ARN or alias) that signs new tokens; absent means the local key file signs. */
    public Optional<String> kmsSigningKey() {
        return optional("KMS_SIGNING_KEY_ID");
    }

    /** Earlier KMS keys whose public halves stay in the JWKS during a rotation. */
    public List<String> kmsVerificationOnlyKeys() {
        return optional("KMS_PUBLISHED_KEY_IDS")
                .map(list -> Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    /**
     * How tokens are signed: {@code kms} (KMS Sign per token), {@code wrapped} (a KMS-generated key pair decrypted
     * once per container, rotating itself) or {@code local} (a key file). Unset: kms when KMS_SIGNING_KEY_ID is set.
     */
    public String signingMode() {
        String mode = optional("SIGNING_MODE").orElse(kmsSigningKey().isPresent() ? "kms" : "local");
        if (!java.util.Set.of("kms", "wrapped", "local").contains(mode)) {
            throw new IllegalStateException("SIGNING_MODE must be kms, wrapped or local, not " + mode);
        }
        return mode;
    }

    /** The symmetric KMS key under which the `wrapped` mode's key pairs are generated and decrypted. */
    public String keyWrappingKey() {
        return required("KEY_WRAPPING_KEY_ID");
    }

    /** RSA_2048 (RS256) or ECC_NIST_P256 (ES256): the `wrapped` mode's key pairs. */
    public String signingKeySpec() {
        return optional("SIGNING_KEY_SPEC").orElse("ES256".equals(signingAlgorithm()) ? "ECC_NIST_P256" : "RSA_2048");
    }

    /** A container re-reads the key ring this often: rotations and emergency removals reach it within this. */
    public Duration signingKeyRefresh() {
        return Duration.ofSeconds(Long.parseLong(optional("SIGNING_KEY_REFRESH_SECONDS").orElse("60")));
    }

    /** How long a `wrapped` key signs before the next one takes over. */
    public Duration signingKeyRotationPeriod() {
        return Duration.ofSeconds(Long.parseLong(optional("SIGNING_KEY_ROTATION_PERIOD_SECONDS").orElse("2592000")));
    }

    /** How long a new `wrapped` key is in the JWKS before it signs. */
    public Duration signingKeyPublishLead() {
        return Duration.ofSeconds(Long.parseLong(optional("SIGNING_KEY_PUBLISH_LEAD_SECONDS").orElse("86400")));
    }

    /** DocSpace's tenant number; this service runs one tenant per deployment. */
    public long tenant() {
        return Long.parseLong(optional("TENANT_ID").orElse("1"));
    }

    public int clientsPerOwner() {
        return Integer.parseInt(optional("CLIENT_QUOTA_PER_OWNER").orElse("10"));
    }

    public int clientsPerTenant() {
        return Integer.parseInt(optional("CLIENT_QUOTA_PER_TENANT").orElse("100"));
    }

    /** The longest any token lives (refresh tokens); revocation records are kept at least this long. */
    public Duration longestTokenLifetime() {
        return Duration.ofSeconds(Long.parseLong(optional("REFRESH_TOKEN_TTL_SECONDS").orElse("2592000")));
    }

    public String signingAlgorithm() {
        return optional("SIGNING_ALGORITHM").orElse("RS256");
    }

    /** Symmetric KMS key whose data keys envelope-encrypt stored token values; absent means the local file. */
    public Optional<String> kmsSealingKey() {
        return optional("KMS_SEALING_KEY_ID");
    }

    /** Local stand-in for the sealing key (a file in the local data folder). */
    public Optional<String> localSealingKeyFile() {
        return optional("LOCAL_SEALING_KEY_FILE");
    }

    public Optional<String> localKeyFile() {
        return optional("LOCAL_SIGNING_KEY_FILE");
    }

    public Optional<String> pepperSecretArn() {
        return optional("SECRET_PEPPER_ARN");
    }

    public Optional<String> pepperFile() {
        return optional("SECRET_PEPPER_FILE");
    }

    public Optional<String> region() {
        return optional("AWS_REGION").or(() -> optional("AWS_DEFAULT_REGION"));
    }

    public Optional<String> endpointFor(String service) {
        return optional("AWS_ENDPOINT_URL_" + service.toUpperCase()).or(() -> optional("AWS_ENDPOINT_URL"));
    }

    /** The scheduled cleanup runs a housekeeping task once it has been due this long (writers' clock skew). */
    public Duration cleanupGrace() {
        return Duration.ofSeconds(Long.parseLong(optional("CLEANUP_GRACE_SECONDS").orElse("60")));
    }

    /**
     * The scheduled cleanup removes a row TTL should have deleted once it has been expired this long. AWS documents
     * that TTL typically deletes within two days of expiry; a third day keeps the cleanup from racing TTL on a slow
     * day (each row removed here costs a write, one TTL removes is free). Every read that decides access checks
     * the expiry itself, so waiting costs only storage.
     */
    public Duration cleanupTtlGrace() {
        return Duration.ofSeconds(Long.parseLong(optional("CLEANUP_TTL_GRACE_SECONDS").orElse("259200")));
    }

    /** At most this many rows are looked at per cleanup run; the next run continues. */
    public int cleanupMaxItems() {
        return Integer.parseInt(optional("CLEANUP_MAX_ITEMS").orElse("100000"));
    }

    /** Days before today a first cleanup run searches (later runs start where the last one left off). */
    public int cleanupLookbackDays() {
        return Integer.parseInt(optional("CLEANUP_LOOKBACK_DAYS").orElse("7"));
    }

    /**
     * How long a container may answer a client's row, and its client-level revocation record, from what it last read
     * (so an old secret, a deactivation or a deletion bites within this); 0 reads them consistently every time.
     */
    /**
     * Whether a client's jwks_uri may be plain http to a loopback host: only for the local runner and tests. On
     * Lambda, loopback is the runtime API, which a registered URL must never reach.
     */
    public boolean jwksUriLoopbackHttp() {
        return optional("JWKS_URI_LOOPBACK_HTTP").map(Boolean::parseBoolean).orElse(false);
    }

    public Duration clientCacheMaxAge() {
        long seconds = Long.parseLong(optional("CLIENT_CACHE_SECONDS").orElse("1"));
        if (seconds < 0) {
            throw new IllegalStateException("CLIENT_CACHE_SECONDS must be 0 or more, not " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** Failed client authentications of one client id per window before further failures get 429. */
    public int clientAuthFailureLimit() {
        return Integer.parseInt(optional("CLIENT_AUTH_FAILURE_LIMIT").orElse("10"));
    }

    public Duration clientAuthFailureWindow() {
        return Duration.ofSeconds(Long.parseLong(optional("CLIENT_AUTH_FAILURE_WINDOW_SECONDS").orElse("300")));
    }

    private static String withoutTrailingSlash(String value) {
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
