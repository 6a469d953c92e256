package dev.tokenservice.wiring;

import com.nimbusds.jose.JWSAlgorithm;
import dev.tokenservice.agilicus.TokenLifecycle;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.bootstrap.AdminBootstrap;
import dev.tokenservice.broker.BrokeredSignIn;
import dev.tokenservice.broker.UpstreamSignOut;
import dev.tokenservice.broker.Upstream;
import dev.tokenservice.broker.UpstreamProvider;
import dev.tokenservice.caching.ClientCache;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRegistry;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.Pepper;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.config.AwsClients;
import dev.tokenservice.config.Settings;
import dev.tokenservice.consents.ConsentStore;
import dev.tokenservice.concurrent.Lazy;
import dev.tokenservice.consents.Consents;
import dev.tokenservice.dpop.DpopNonces;
import dev.tokenservice.dpop.DpopProofs;
import dev.tokenservice.housekeeping.ExpiredTokenCleanup;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.knetik.TokenAdministration;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.authorization.AuthorizationEndpoint;
import dev.tokenservice.oauth.authorization.Logout;
import dev.tokenservice.oauth.authorization.PushedAuthorizationRequests;
import dev.tokenservice.oauth.token.AuthorizationCodeGrant;
import dev.tokenservice.oauth.token.AuthorizationCodes;
import dev.tokenservice.oauth.token.ClientAssertions;
import dev.tokenservice.oauth.token.ClientAuthentication;
import dev.tokenservice.oauth.token.ClientKeySets;
import dev.tokenservice.oauth.device.DeviceAuthorizations;
import dev.tokenservice.oauth.token.ClientCredentialsGrant;
import dev.tokenservice.oauth.token.DeviceCodeGrant;
import dev.tokenservice.oauth.token.FailedAuthenticationThrottle;
import dev.tokenservice.oauth.token.Grant;
import dev.tokenservice.oauth.token.Introspection;
import dev.tokenservice.oauth.token.RefreshTokenGrant;
import dev.tokenservice.oauth.token.RefreshTokens;
import dev.tokenservice.oauth.token.Revocation;
import dev.tokenservice.oauth.token.TokenEndpoint;
import dev.tokenservice.oauth.token.TokenExchangeGrant;
import dev.tokenservice.oauth.token.UserTokens;
import dev.tokenservice.openid.IdTokens;
import dev.tokenservice.sessions.SessionCheck;
import dev.tokenservice.sessions.Sessions;
import dev.tokenservice.signing.KeyRingStore;
import dev.tokenservice.signing.KeyRotation;
import dev.tokenservice.signing.KmsSigningKeys;
import dev.tokenservice.signing.LocalKeyFile;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.WrappedSigningKeys;
import dev.tokenservice.storage.Tables;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.TokenItem;
import dev.tokenservice.tokens.TokenRepository;
import dev.tokenservice.tokens.TokenSealer;
import dev.tokenservice.tokens.sealing.EnvelopeSealer;
import dev.tokenservice.tokens.sealing.KmsDataKeys;
import dev.tokenservice.tokens.sealing.LocalDataKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The object graph of one container, built with plain constructors. Each part is made on first use, so a
 * function builds only what its handler touches, and handlers touch it in their constructors so that the
 * work happens in the init phase (and lands in the SnapStart snapshot).
 */
public final class Services {

    /**
     * RFC 8628 §5.1: user codes typed per person per window. A person types one or two; a guesser signed in to one
     * account gets ten lookups per ten minutes, against 20^8 possible codes.
     */
    static final int USER_CODE_ENTRIES = 10;
    static final java.time.Duration USER_CODE_ENTRY_WINDOW = java.time.Duration.ofMinutes(10);

    private static volatile Services production;

    private final Settings settings;
    private final Clock clock;
    private final Lazy<Tables> tables;
    private final Lazy<SigningKeys> signingKeys;
    private final Lazy<SecretHasher> secretHasher;
    private final Lazy<TokenRepository> tokenRepository;
    private final Lazy<ClientRepository> clientRepository;
    private final Lazy<AccessTokenIssuer> accessTokenIssuer;
    private final Lazy<Optional<TokenSealer>> tokenSealer;
    private final Lazy<FailedAuthenticationThrottle> failedAuthenticationThrottle;
    private final Lazy<ClientCache<ClientItem, TokenItem>> clientCache;
    private final Lazy<ClientKeySets> clientKeySets;
    /** The upstream identity providers, each with its discovery document and JWKS cached for the container. */
    private final Lazy<Map<String, UpstreamProvider>> upstreams;
    /** Production only: tests give an upstream's secret inline (UPSTREAM_CLIENT_SECRET). */
    private Supplier<SecretsManagerClient> secretsManager = () -> {
        throw new IllegalStateException("this wiring has no Secrets Manager client: set UPSTREAM_CLIENT_SECRET");
    };
    /** Production only: tests hand their KMS client (moto) to the parts that need one. */
    private Supplier<KmsClient> kms = () -> {
        throw new IllegalStateException("this wiring has no KMS client");
    };

    /** Production wiring: AWS clients from the environment. */
    private Services(Settings settings) {
        this(settings, Clock.systemUTC(), new AwsClients(settings));
    }

    private Services(Settings settings, Clock clock, AwsClients aws) {
        this(settings, clock, aws, new Lazy<>(() -> new Tables(aws.dynamoDb(), settings)), new Lazy<>(aws::kms));
    }

    private Services(Settings settings, Clock clock, AwsClients aws, Lazy<Tables> tables, Lazy<KmsClient> kms) {
        this(settings, clock, tables,
                () -> signingKeysFor(settings, clock, kms, tables),
                () -> new SecretHasher(Pepper.load(settings, aws::secretsManager)),
                () -> sealerFor(settings, clock, kms));
        this.kms = kms;
        this.secretsManager = new Lazy<>(aws::secretsManager);
    }

    /** Test wiring: every collaborator given; token values are sealed with LOCAL_SEALING_KEY_FILE if set. */
    public Services(Settings settings, Clock clock, Supplier<Tables> tables, Supplier<SigningKeys> signingKeys,
            Supplier<SecretHasher> secretHasher) {
        this(settings, clock, tables, signingKeys, secretHasher, () -> sealerFor(settings, clock, null));
    }

    /** Test wiring with the sealer given too (e.g. over a KMS emulator). */
    public Services(Settings settings, Clock clock, Supplier<Tables> tables, Supplier<SigningKeys> signingKeys,
            Supplier<SecretHasher> secretHasher, Supplier<Optional<TokenSealer>> tokenSealer) {
        this.settings = settings;
        this.clock = clock;
        this.tables = new Lazy<>(tables);
        this.signingKeys = new Lazy<>(signingKeys);
        this.secretHasher = new Lazy<>(secretHasher);
        this.clientCache = new Lazy<>(() -> clientCacheFor(settings, clock));
        this.tokenRepository = new Lazy<>(() -> new TokenRepository(this.tables.get(), this.clientCache.get()));
        this.clientRepository = new Lazy<>(() -> new ClientRepository(this.tables.get(), this.clientCache.get()));
        this.tokenSealer = new Lazy<>(tokenSealer);
        this.accessTokenIssuer = new Lazy<>(() -> new AccessTokenIssuer(
                this.signingKeys.get(), this.tokenRepository.get(), clock, this.tokenSealer.get().orElse(null)));
        this.clientKeySets = new Lazy<>(() -> new ClientKeySets(clock, settings.jwksUriLoopbackHttp()));
        this.upstreams = new Lazy<>(() -> Upstream.configured(settings, this::upstreamSecretFromArn)
                .map(upstream -> Map.of(upstream.id(), new UpstreamProvider(upstream))).orElse(Map.of()));
        this.failedAuthenticationThrottle = new Lazy<>(() -> new FailedAuthenticationThrottle(this.tables.get(), clock,
                settings.clientAuthFailureLimit(), settings.clientAuthFailureWindow()));
    }

    public static Services production() {
        Services services = production;
        if (services == null) {
            synchronized (Services.class) {
                services = production;
                if (services == null) {
                    services = new Services(Settings.fromEnvironment());
                    production = services;
                }
            }
        }
        return services;
    }

    /**
     * Production wiring from the given settings instead of the environment, a fresh graph per call: a test
     * runs a function as its own Lambda container would (AWS clients, KMS, Secrets Manager pepper).
     */
    public static Services configuredBy(Settings settings, Clock clock) {
        return new Services(settings, clock, new AwsClients(settings));
    }

    public Settings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public Tables tables() {
        return tables.get();
    }

    public SigningKeys signingKeys() {
        return signingKeys.get();
    }

    public SecretHasher secretHasher() {
        return secretHasher.get();
    }

    public TokenRepository tokenRepository() {
        return tokenRepository.get();
    }

    public ClientRepository clientRepository() {
        return clientRepository.get();
    }

    public AccessTokenIssuer accessTokenIssuer() {
        return accessTokenIssuer.get();
    }

    /** Envelope encryption of stored token values (Knetik get_token hands them back); empty if unconfigured. */
    public Optional<TokenSealer> tokenSealer() {
        return tokenSealer.get();
    }

    /** The Agilicus token lifecycle (create, introspect, reissue, revoke, validate, list). */
    public TokenLifecycle tokenLifecycle() {
        return new TokenLifecycle(accessTokenIssuer(), tokenRepository(), callerAuthenticator(), tables(), clock,
                settings.longestTokenLifetime());
    }

    /** The Knetik token administration (list, get, delete). */
    public TokenAdministration tokenAdministration() {
        return new TokenAdministration(tables(), tokenRepository(), tokenSealer(), signingKeys(), clock,
                settings.longestTokenLifetime());
    }

    public ClientAuthentication clientAuthentication() {
        return new ClientAuthentication(clientRepository(), secretHasher(), failedAuthenticationThrottle(),
                new ClientAssertions(tables(), clock, clientKeySets(), request -> Issuer.of(settings, request)), clock);
    }

    /** One per container: the private_key_jwt clients' key sets fetched from their jwks_uri. */
    public ClientKeySets clientKeySets() {
        return clientKeySets.get();
    }

    public RefreshTokens refreshTokens() {
        return new RefreshTokens(tokenRepository(), clock, settings.longestTokenLifetime());
    }

    public AuthorizationCodes authorizationCodes() {
        return new AuthorizationCodes(tokenRepository(), clock, settings.longestTokenLifetime());
    }

    /**
     * Every grant this service supports, in the order the metadata documents list them: the token endpoint
     * dispatches over this list, and the metadata documents and the client registry read its names. A new grant
     * is its class and one line here.
     */
    public List<Grant.Supported> grants() {
        return List.of(
                new Grant.Supported(AuthorizationCodeGrant.GRANT_TYPE, () -> new AuthorizationCodeGrant(
                        clientAuthentication(), authorizationCodes(), tokenRepository(), userTokens())),
                new Grant.Supported(RefreshTokenGrant.GRANT_TYPE, () -> new RefreshTokenGrant(
                        clientAuthentication(), refreshTokens(), userTokens())),
                new Grant.Supported(ClientCredentialsGrant.GRANT_TYPE, () -> new ClientCredentialsGrant(
                        clientAuthentication(), accessTokenIssuer(), settings.defaultAudience(),
                        settings.accessTokenTtl())),
                new Grant.Supported(TokenExchangeGrant.GRANT_TYPE, () -> new TokenExchangeGrant(
                        clientAuthentication(), callerAuthenticator(), accessTokenIssuer(), settings.defaultAudience(),
                        settings.accessTokenTtl(), clock)),
                new Grant.Supported(DeviceCodeGrant.GRANT_TYPE, () -> new DeviceCodeGrant(
                        clientAuthentication(), tokenRepository(), userTokens(), clock)));
    }

    /** POST /oauth2/device_authorization and the verification page at /oauth2/device (RFC 8628). */
    public DeviceAuthorizations deviceAuthorizations() {
        return new DeviceAuthorizations(clientAuthentication(), clientRepository(), tokenRepository(), consentStore(),
                secretHasher(), new FailedAuthenticationThrottle(tables(), clock, USER_CODE_ENTRIES,
                        USER_CODE_ENTRY_WINDOW, "UA", "user code entries by this person",
                        "user code entries slowed down", null), clock, settings.defaultAudience());
    }

    /** The names of {@link #grants()}, read without building a grant. */
    public List<String> grantTypes() {
        return grants().stream().map(Grant.Supported::grantType).toList();
    }

    /** POST /oauth2/token with every grant this service supports. */
    public TokenEndpoint tokenEndpoint() {
        return new TokenEndpoint(grants(), authorizationServerProofs());
    }

    /**
     * DPoP proofs at the authorization server's endpoints (token, pushed requests), with the server nonces every
     * proof must carry when DpopNonceRequired is set.
     */
    public DpopProofs authorizationServerProofs() {
        Optional<DpopNonces> nonces = settings.dpopNonceRequired()
                ? Optional.of(new DpopNonces(secretHasher()::hash, clock, settings.dpopNonceLifetime())) : Optional.empty();
        return dpopProofs(nonces);
    }

    /** What a user's grant yields: access token, refresh token if allowed, ID token with openid. */
    public UserTokens userTokens() {
        return new UserTokens(accessTokenIssuer(), refreshTokens(), idTokens(), settings.defaultAudience(),
                settings.accessTokenTtl());
    }

    /** OpenID Connect ID tokens, signed by the access tokens' signer; a hint is accepted while its session may live. */
    public IdTokens idTokens() {
        return new IdTokens(signingKeys(), clock, settings.idTokenTtl(), settings.longestTokenLifetime());
    }

    public Introspection introspection() {
        return new Introspection(clientAuthentication(), clientRepository(), callerAuthenticator(), refreshTokens(), tables());
    }

    public Revocation revocation() {
        return new Revocation(clientAuthentication(), callerAuthenticator(), tokenRepository(), refreshTokens(), clock);
    }

    public AuthorizationEndpoint authorizationEndpoint() {
        return new AuthorizationEndpoint(clientRepository(), consentStore(), authorizationCodes(), secretHasher(),
                idTokens(), clock, settings.loginUrl(), settings.defaultAudience(), pushedAuthorizationRequests());
    }

    /** RFC 9126: authorization requests a client pushes, taken once by the authorization endpoint. */
    public PushedAuthorizationRequests pushedAuthorizationRequests() {
        return new PushedAuthorizationRequests(clientAuthentication(), clientRepository(), tokenRepository(), clock,
                settings.defaultAudience(), authorizationServerProofs());
    }

    /** Browser sessions: minted for a login front end, checked by the browser-facing routes. */
    public Sessions sessions() {
        return new Sessions(signingKeys(), tokenRepository(), clock, settings.sessionTtl());
    }

    /** Signing people in through an upstream OpenID provider (identity brokering). */
    public BrokeredSignIn brokeredSignIn() {
        return new BrokeredSignIn(upstreams.get(), secretHasher(), this::sessions, tokenRepository(), clock);
    }

    /** Logout that goes on to the upstream that signed the session in, when it publishes an end_session_endpoint. */
    public UpstreamSignOut upstreamSignOut() {
        return new UpstreamSignOut(upstreams.get(), secretHasher(), clock);
    }

    private String upstreamSecretFromArn() {
        String arn = settings.optional("UPSTREAM_CLIENT_SECRET_ARN").filter(value -> !value.isBlank()).orElseThrow(
                () -> new IllegalStateException("UPSTREAM_ISSUER_URL is set but no client secret: set "
                        + "UPSTREAM_CLIENT_SECRET_ARN (or UPSTREAM_CLIENT_SECRET where there is no Secrets Manager)"));
        return secretsManager.get().getSecretValue(r -> r.secretId(arn)).secretString();
    }

    /** The browser's session, from the asc_auth_key cookie: live, absent, or refused with the reason. */
    public SessionCheck browserSession(ApiRequest request) {
        return sessions().check(request.cookie(CallerAuthenticator.DOCSPACE_COOKIE), Issuer.of(settings, request));
    }

    public Logout logout() {
        return new Logout(clientRepository(), tokenRepository(), idTokens(), secretHasher(), clock,
                settings.longestTokenLifetime());
    }

    public ConsentStore consentStore() {
        return new ConsentStore(tables(), clock);
    }

    /** One per container: the client rows and client-level revocation records it may answer from memory. */
    public ClientCache<ClientItem, TokenItem> clientCache() {
        return clientCache.get();
    }

    /** One per container: it remembers which client ids are being slowed down. */
    public FailedAuthenticationThrottle failedAuthenticationThrottle() {
        return failedAuthenticationThrottle.get();
    }

    public CallerAuthenticator callerAuthenticator() {
        return new CallerAuthenticator(signingKeys(), tokenRepository(), clock, dpopProofs(Optional.empty()));
    }

    /** DPoP proofs, with the server nonces every proof must carry when the token endpoint asks for them. */
    public DpopProofs dpopProofs(Optional<DpopNonces> nonces) {
        return new DpopProofs(tokenRepository(), clock, nonces);
    }

    public ClientRegistry clientRegistry() {
        return new ClientRegistry(tables(), secretHasher, clock, new ClientRegistry.RegistryLimits(
                settings.tenant(), settings.clientsPerOwner(), settings.clientsPerTenant(),
                settings.longestTokenLifetime()), grantTypes(), settings.jwksUriLoopbackHttp());
    }

    public Consents consents() {
        return new Consents(tables(), clock, settings.longestTokenLifetime());
    }

    /** The caller of a protected endpoint, by its Bearer token or DocSpace cookie; 401 otherwise. */
    public Caller authenticate(ApiRequest request) {
        String issuer = Issuer.of(settings, request);
        return callerAuthenticator().authenticate(request, issuer, ownAudiences(issuer));
    }

    /**
     * What this service answers to as a token audience: its issuer URL (its identity), and the configured
     * TOKEN_AUDIENCE its own tokens carry when set (e.g. a custom domain's URL).
     */
    public java.util.Set<String> ownAudiences(String issuer) {
        java.util.Set<String> audiences = new java.util.HashSet<>();
        audiences.add(issuer);
        settings.defaultAudience().ifPresent(audiences::add);
        return java.util.Set.copyOf(audiences);
    }

    public AdminBootstrap adminBootstrap() {
        return new AdminBootstrap(tables(), secretHasher(), clock);
    }

    /** The scheduled removal of expired rows; stops this long before the invocation's time runs out. */
    public ExpiredTokenCleanup expiredTokenCleanup() {
        return new ExpiredTokenCleanup(tables(), clock, new ExpiredTokenCleanup.Limits(settings.cleanupGrace(),
                settings.cleanupTtlGrace(), settings.cleanupMaxItems(), java.time.Duration.ofSeconds(10), settings.cleanupLookbackDays()));
    }

    /** The KMS client of this container (one, shared by signing, sealing and key rotation). */
    public KmsClient kms() {
        return kms.get();
    }

    /** The `wrapped` mode's scheduled and emergency key rotation, generating key pairs through the given KMS. */
    public KeyRotation keyRotation(KmsClient kmsClient) {
        var policy = new KeyRotation.Policy(settings.signingKeyRotationPeriod(), settings.signingKeyPublishLead(),
                settings.longestTokenLifetime(), settings.signingKeySpec());
        policy.requireLeadAtLeast(SigningKeys.JWKS_MAX_AGE.plus(settings.signingKeyRefresh()));
        return new KeyRotation(keyRingStore(), kmsClient, settings.keyWrappingKey(), clock, policy);
    }

    private KeyRingStore keyRingStore() {
        return new KeyRingStore(tables().dynamoDb(), settings.tokensTable());
    }

    /**
     * The `wrapped` mode's keys for this container, decrypting through the given KMS; with the stack's KMS signing key
     * when one is configured (its public key fetched here, once per container), which keeps the tokens it signed in
     * `kms` mode verifying and signs while the ring has no active key.
     */
    public static WrappedSigningKeys wrappedSigningKeys(Settings settings, Clock clock, KmsClient kms, Tables tables) {
        SigningKeys kmsKey = settings.kmsSigningKey().map(key -> KmsSigningKeys.load(kms, key, List.of())).orElse(null);
        return new WrappedSigningKeys(new KeyRingStore(tables.dynamoDb(), settings.tokensTable()), kms,
                settings.keyWrappingKey(), clock, settings.signingKeyRefresh(),
                JWSAlgorithm.parse("ECC_NIST_P256".equals(settings.signingKeySpec()) ? "ES256" : "RS256"), kmsKey);
    }

    private static SigningKeys signingKeysFor(Settings settings, Clock clock, Supplier<KmsClient> kms,
            Supplier<Tables> tables) {
        if ("wrapped".equals(settings.signingMode())) {
            WrappedSigningKeys wrapped = wrappedSigningKeys(settings, clock, kms.get(), tables.get());
            // Priming signs with a throwaway key; and whatever hook runs first, no private key enters the snapshot.
            Priming.aroundSnapshot("WrappedSigningKeys", wrapped::beforeSnapshot, wrapped::afterRestore);
            SigningKeys keys = wrapped.signingKeys();
            // The ring (public keys only) is read in the init phase, as kms mode fetches its public key there.
            keys.publicJwks();
            return keys;
        }
        var kmsKey = settings.kmsSigningKey();
        if ("kms".equals(settings.signingMode()) && kmsKey.isPresent()) {
            return KmsSigningKeys.load(kms.get(), kmsKey.get(), settings.kmsVerificationOnlyKeys());
        }
        Path keyFile = Path.of(settings.localKeyFile().orElseThrow(() -> new IllegalStateException(
                "no signing key: set KMS_SIGNING_KEY_ID, or LOCAL_SIGNING_KEY_FILE for local runs")));
        return LocalKeyFile.loadOrCreate(keyFile, JWSAlgorithm.parse(settings.signingAlgorithm()));
    }

    /**
     * The container's client cache, emptied before the SnapStart snapshot and again after each restore. It is built
     * while a handler's constructor wires its use case, before the handler registers its priming; CRaC runs
     * beforeCheckpoint hooks in the reverse order of registration, so the clearing follows priming's reads (of a
     * client that cannot exist). Clearing after the restore too means a restored container never answers from a
     * row read before the snapshot, whatever the order.
     */
    private static ClientCache<ClientItem, TokenItem> clientCacheFor(Settings settings, Clock clock) {
        ClientCache<ClientItem, TokenItem> cache = new ClientCache<>(clock, settings.clientCacheMaxAge());
        Priming.aroundSnapshot("ClientCache", cache::clear, cache::clear);
        return cache;
    }

    /** KMS when KMS_SEALING_KEY_ID is set (and AWS clients exist), else the local key file, else none. */
    private static Optional<TokenSealer> sealerFor(Settings settings, Clock clock, Supplier<KmsClient> kms) {
        if (kms != null && settings.kmsSealingKey().isPresent()) {
            return Optional.of(new EnvelopeSealer(new KmsDataKeys(kms.get(), settings.kmsSealingKey().get()), clock));
        }
        return settings.localSealingKeyFile()
                .map(file -> new EnvelopeSealer(LocalDataKeys.loadOrCreate(Path.of(file)), clock));
    }
}
