package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tokenservice.functions.clients.CreateClientHandler;
import dev.tokenservice.functions.clients.GetClientHandler;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.functions.wellknown.GetServerMetadataHandler;
import dev.tokenservice.http.Json;
import dev.tokenservice.clients.ClientSchema;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.FreePort;
import dev.tokenservice.testing.LogCapture;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * private_key_jwt: a client registered with a JWKS (inline or at a jwks_uri on loopback) authenticates at the token,
 * introspection and revocation endpoints with an assertion it signed, and every wrong assertion is 401 invalid_client.
 */
class PrivateKeyJwtTest {

    private static final String TOKEN_ENDPOINT = TestServices.ISSUER + "/oauth2/token";
    private static final String BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private final MutableClock clock = MutableClock.startingNow();
    private final Faults dynamoDb = new Faults();
    private Services services;
    private OAuthEndpoints oauth;
    private String registrar;
    private HttpServer jwksServer;
    private final AtomicReference<String> published = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger publishedStatus = new AtomicInteger(200);

    @BeforeEach
    void setUp() throws Exception {
        services = TestServices.create(clock, Map.of("JWKS_URI_LOOPBACK_HTTP", "true"), dynamoDb,
                TestServices::rsaKeys);
        oauth = new OAuthEndpoints(services);
        registrar = Requests.token(services, "owner-1", List.of("clients:write"));
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(publishedStatus.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.createContext("/slow/jwks.json", exchange -> {
            try {
                Thread.sleep(dev.tokenservice.oauth.token.ClientKeySets.REQUEST_TIMEOUT.toMillis() + 1_000);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        jwksServer.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        jwksServer.start();
    }

    @AfterEach
    void tearDown() {
        jwksServer.stop(0);
    }

    // --- what works -------------------------------------------------------------------------------------------

    @Test
    void aClientWithAnInlineJwksGetsATokenWithAnAssertionSignedByEachAcceptedAlgorithm() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        String clientId = registerInline(rsa, ec);

        for (var signed : List.of(assertion(rsa, JWSAlgorithm.RS256, claims(clientId).build()),
                assertion(rsa, JWSAlgorithm.PS256, claims(clientId).build()),
                assertion(ec, JWSAlgorithm.ES256, claims(clientId).build()))) {
            APIGatewayProxyResponseEvent response = clientCredentials(signed);

            assertEquals(200, response.getStatusCode(), response.getBody());
            JsonNode token = OAuthEndpoints.json(response);
            assertEquals(clientId, SignedJWT.parse(token.path("access_token").asText()).getJWTClaimsSet()
                    .getStringClaim("client_id"));
        }
    }

    @Test
    void theAudienceMayBeTheIssuerTheTokenEndpointOrTheEndpointCalled() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);

        assertEquals(200, clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).audience(TestServices.ISSUER).build())).getStatusCode());
        String token = OAuthEndpoints.json(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).build()))).path("access_token").asText();

        APIGatewayProxyResponseEvent introspected = oauth.introspect(Map.of("token", token,
                "client_assertion_type", BEARER, "client_assertion", assertion(key, JWSAlgorithm.RS256,
                        claims(clientId).audience(TestServices.ISSUER + "/oauth2/introspect").build())));
        assertEquals(200, introspected.getStatusCode(), introspected.getBody());
        assertTrue(OAuthEndpoints.json(introspected).path("active").asBoolean());

        APIGatewayProxyResponseEvent revoked = oauth.revoke(Map.of("token", token,
                "client_assertion_type", BEARER, "client_assertion", assertion(key, JWSAlgorithm.RS256,
                        claims(clientId).build())));
        assertEquals(200, revoked.getStatusCode(), revoked.getBody());
        assertFalse(OAuthEndpoints.json(oauth.introspect(Map.of("token", token, "client_assertion_type", BEARER,
                "client_assertion", assertion(key, JWSAlgorithm.RS256, claims(clientId).build()))))
                .path("active").asBoolean(), "revoked with the assertion's authentication");
    }

    @Test
    void aJwksUriIsFetchedOnceKeptAndFetchedAgainForAKeyIdItLacks() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("first").generate();
        publish(first);
        String clientId = registerUri();

        assertEquals(200, clientCredentials(assertion(first, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(200, clientCredentials(assertion(first, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(1, fetches.get(), "the key set is kept by the container");

        // The client rotates: its new key is published, the next assertion names it.
        RSAKey second = new RSAKeyGenerator(2048).keyID("second").generate();
        publish(first, second);
        clock.advance(Duration.ofSeconds(11));

        assertEquals(200, clientCredentials(assertion(second, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(2, fetches.get());
    }

    @Test
    void aFetchedKeySetIsKeptFiveMinutesAndFetchedForAnUnknownKidAtMostEveryTenSeconds() throws Exception {
        // GIVEN a jwks_uri client whose key set was fetched once
        RSAKey first = new RSAKeyGenerator(2048).keyID("first").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("second").generate();
        publish(first);
        String clientId = registerUri();
        assertEquals(200, clientCredentials(assertion(first, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(1, fetches.get());
        publish(first, second);

        // WHEN an assertion names a kid the kept set lacks 1 ms before the refetch interval THEN no fetch, refused
        clock.advance(Duration.ofMillis(9_999));
        assertInvalidClient(clientCredentials(assertion(second, JWSAlgorithm.RS256, claims(clientId).build())), "kid");
        assertEquals(1, fetches.get(), "at most one fetch per 10 s for unknown kids");
        // AND at the interval exactly THEN the set is fetched again and the new key works
        clock.advance(Duration.ofMillis(1));
        assertEquals(200, clientCredentials(assertion(second, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(2, fetches.get());

        // WHEN a known key is used until 1 ms before five minutes after that fetch THEN the kept set serves it
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertEquals(200, clientCredentials(assertion(first, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(2, fetches.get(), "kept for five minutes");
        // AND at five minutes exactly THEN it is fetched again
        clock.advance(Duration.ofMillis(1));
        assertEquals(200, clientCredentials(assertion(first, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        assertEquals(3, fetches.get(), "fetched again once five minutes old");
    }

    // --- refusals ---------------------------------------------------------------------------------------------

    @Test
    void aReplayedAssertionIsRefused() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        String once = assertion(key, JWSAlgorithm.RS256, claims(clientId).build());
        assertEquals(200, clientCredentials(once).getStatusCode());

        assertInvalidClient(clientCredentials(once), "used before");
        // at another endpoint too: the jti is spent for the client, wherever it is shown
        assertInvalidClient(oauth.introspect(Map.of("token", "x", "client_assertion_type", BEARER,
                "client_assertion", once)), "used before");
    }

    @Test
    void aSpentJtiIsFreeAgainOnceItsAssertionCouldNoLongerBeAcceptedByTheClockNotByTtl() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        assertEquals(200, clientCredentials(assertion(key, JWSAlgorithm.RS256, claims(clientId).jwtID("once")
                .build())).getStatusCode());

        // DynamoDB Local has no TTL deletion: the row is still there, and still the jti is free past its time
        clock.advance(Duration.ofMinutes(2));

        assertEquals(200, clientCredentials(assertion(key, JWSAlgorithm.RS256, claims(clientId).jwtID("once")
                .build())).getStatusCode());
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256, claims(clientId).jwtID("once")
                .build())), "used before");
    }

    @Test
    void aKeyClientReplacesItsInlineKeysAndTheNewKeyWorksAtOnce() throws Exception {
        RSAKey old = new RSAKeyGenerator(2048).keyID("old").generate();
        String clientId = registerInline(old);
        assertEquals(200, clientCredentials(assertion(old, JWSAlgorithm.RS256, claims(clientId).build()))
                .getStatusCode());
        ECKey replacement = new ECKeyGenerator(Curve.P_256).keyID("new").generate();
        ObjectNode update = Json.object().put("name", "Key client").put("description", "rotated")
                .put("logo", "data:image/png;base64,iVBORw0KGgo=");
        update.putArray("allowed_origins").add("https://app.example.com");
        update.set("jwks", Json.MAPPER.readTree(new JWKSet(replacement.toPublicJWK()).toString()));

        APIGatewayProxyResponseEvent updated = new dev.tokenservice.functions.clients.UpdateClientHandler(services)
                .handleRequest(Requests.request("PUT", "/api/2.0/clients/{clientId}", "/api/2.0/clients/" + clientId,
                        registrar, update.toString()), null);

        assertEquals(200, updated.getStatusCode(), updated.getBody());
        assertEquals(200, clientCredentials(assertion(replacement, JWSAlgorithm.ES256, claims(clientId).build()))
                .getStatusCode(), "the new key at once, though the old row is in the container's cache");
        clock.advance(Duration.ofSeconds(1));
        assertInvalidClient(clientCredentials(assertion(old, JWSAlgorithm.RS256, claims(clientId).build())), "kid");
    }

    @Test
    void aDisabledKeyClientIsToldSoOnlyAfterItsAssertionWasProven() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        assertEquals(200, new dev.tokenservice.functions.clients.ChangeClientActivationHandler(services).handleRequest(
                Requests.request("PATCH", "/api/2.0/clients/{clientId}/activation", "/api/2.0/clients/" + clientId
                        + "/activation", registrar, "{\"status\": false}"), null).getStatusCode());
        clock.advance(Duration.ofSeconds(1));

        APIGatewayProxyResponseEvent disabled = clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).build()));

        assertEquals(400, disabled.getStatusCode(), disabled.getBody());
        assertEquals("unauthorized_client", OAuthEndpoints.json(disabled).path("error").asText());
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k").generate();
        assertInvalidClient(clientCredentials(assertion(stranger, JWSAlgorithm.RS256, claims(clientId).build())),
                "signature");
    }

    @Test
    void aClientRegisteredForNoneGetsNoSecretAndNoClientCredentialsToken() {
        ObjectNode body = validClient().put("token_endpoint_auth_method", "none");

        APIGatewayProxyResponseEvent created = create(body);

        assertEquals(201, created.getStatusCode(), created.getBody());
        JsonNode client = OAuthEndpoints.json(created);
        assertFalse(client.has("client_secret"));
        assertEquals("none", client.path("token_endpoint_auth_method").asText());
        assertInvalidClient(oauth.token(Map.of("grant_type", "client_credentials"),
                OAuthEndpoints.basic(client.path("client_id").asText(), "guess")), "none, not a secret");
    }

    @Test
    void theWrongAudienceIsRefused() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);

        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).audience("https://other-server.example/oauth2/token").build())), "aud");
        // the introspection endpoint's URL is no audience at the token endpoint
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).audience(TestServices.ISSUER + "/oauth2/introspect").build())), "aud");
    }

    @Test
    void anExpiredAssertionAndOneValidTooLongAreRefused() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        Instant now = clock.instant();

        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).expirationTime(Date.from(now.minusSeconds(60))).build())), "expired");
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).expirationTime(Date.from(now.plus(Duration.ofHours(1)))).build())), "exp");
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).expirationTime(null).build())), "exp is required");
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).notBeforeTime(Date.from(now.plusSeconds(120))).build())), "future");
        assertEquals(200, clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).expirationTime(Date.from(now.plus(Duration.ofMinutes(9)))).build())).getStatusCode());
    }

    @Test
    void theTimeWindowsAndLengthLimitsHoldExactlyAtTheirEdges() throws Exception {
        // GIVEN a key client, and the clock on a whole second (a JWT's times are seconds), so each edge is exact
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        clock.advance(Duration.ofMillis(1000 - clock.millis() % 1000));
        long now = clock.instant().getEpochSecond();
        java.util.function.Function<JWTClaimsSet.Builder, Integer> status = builder ->
                clientCredentials(signed(key, builder.build())).getStatusCode();

        // exp: up to 30 s in the past (clock skew) and up to 10 minutes + 30 s ahead
        assertEquals(401, status.apply(claims(clientId).expirationTime(new Date((now - 30) * 1000))));
        assertEquals(200, status.apply(claims(clientId).expirationTime(new Date((now - 29) * 1000))));
        assertEquals(200, status.apply(claims(clientId).expirationTime(new Date((now + 630) * 1000))));
        assertEquals(401, status.apply(claims(clientId).expirationTime(new Date((now + 631) * 1000))));
        // nbf and iat: up to 30 s ahead
        assertEquals(200, status.apply(claims(clientId).notBeforeTime(new Date((now + 30) * 1000))));
        assertEquals(401, status.apply(claims(clientId).notBeforeTime(new Date((now + 31) * 1000))));
        assertEquals(200, status.apply(claims(clientId).issueTime(new Date((now + 30) * 1000))));
        assertEquals(401, status.apply(claims(clientId).issueTime(new Date((now + 31) * 1000))));
        // jti: 1 to 256 characters
        assertEquals(401, status.apply(claims(clientId).jwtID("")));
        assertEquals(200, status.apply(claims(clientId).jwtID("j".repeat(255) + UUID.randomUUID().toString().charAt(0))));
        assertEquals(401, status.apply(claims(clientId).jwtID("j".repeat(257))));
        // sub: at most 128 characters (a longer one is refused before any lookup)
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).subject("s".repeat(129)).build())), "sub");
        // the assertion itself: at most 8,192 characters
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).claim("pad", "p".repeat(9_000)).build())),
                "8192");
    }

    @Test
    void hs256AndUnsignedAssertionsAreRefusedEvenWithTheKeyAsHmacSecret() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        // the classic confusion: the public key's bytes as an HMAC secret
        byte[] publicBytes = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k").build(),
                claims(clientId).build());
        hmac.sign(new MACSigner(publicBytes));

        // refused for its algorithm, before any key is looked at
        assertInvalidClient(clientCredentials(hmac.serialize()), "the algorithm HS256 is not accepted");
        assertInvalidClient(clientCredentials(new PlainJWT(claims(clientId).build()).serialize()), "signed JWT");
        assertInvalidClient(clientCredentials("not-a-jwt"), "signed JWT");
    }

    @Test
    void anUnknownKeyIdAndAnotherKeyUnderTheRegisteredKeyIdAreRefused() throws Exception {
        RSAKey registered = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(registered);
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k").generate();
        RSAKey unknown = new RSAKeyGenerator(2048).keyID("nobody").generate();

        assertInvalidClient(clientCredentials(assertion(unknown, JWSAlgorithm.RS256, claims(clientId).build())),
                "kid");
        assertInvalidClient(clientCredentials(assertion(stranger, JWSAlgorithm.RS256, claims(clientId).build())),
                "signature");
    }

    @Test
    void issAndSubMustBeTheClientAndAJtiIsRequired() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);

        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).issuer("someone-else").build())), "iss and sub");
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(clientId).jwtID(null).build())), "jti");
    }

    @Test
    void failedAssertionsAreSlowedDownLikeWrongSecretsAndTheRightAssertionStillWorks() throws Exception {
        // GIVEN a key client, a secret client, and an assertion for a client id nobody registered
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k").generate();
        String keyClient = registerInline(key);
        var secretClient = TestServices.registerClient(services, List.of());
        String unknown = UUID.randomUUID().toString();
        // (the deployment's default: 10 failures per client id and window, then 429 with Retry-After)
        Map<String, java.util.function.Supplier<APIGatewayProxyResponseEvent>> failures = new java.util.LinkedHashMap<>();
        failures.put("an assertion its key did not sign", () -> clientCredentials(signed(stranger, claims(keyClient).build())));
        failures.put("a secret instead of its assertion", () -> oauth.token(Map.of("grant_type", "client_credentials"),
                OAuthEndpoints.basic(keyClient, "guess")));
        failures.put("an assertion for a secret client", () -> clientCredentials(signed(key,
                claims(secretClient.clientId()).build())));
        failures.put("an assertion for an unknown client", () -> clientCredentials(signed(key, claims(unknown).build())));
        for (var failure : failures.entrySet()) {
            String clientId = failure.getKey().contains("secret client") ? secretClient.clientId()
                    : failure.getKey().contains("unknown") ? unknown : keyClient;
            // WHEN one kind of failure repeats past the limit THEN 429 (invalid_client, Retry-After), not 401
            for (int i = 0; i < 10; i++) {
                assertEquals(401, failure.getValue().get().getStatusCode(), failure.getKey() + ", attempt " + (i + 1));
            }
            APIGatewayProxyResponseEvent slowed = failure.getValue().get();
            assertEquals(429, slowed.getStatusCode(), failure.getKey() + ": " + slowed.getBody());
            assertEquals("invalid_client", OAuthEndpoints.json(slowed).path("error").asText());
            assertTrue(slowed.getHeaders().containsKey("Retry-After"), failure.getKey());
            // AND the right credentials are never refused by it
            if (clientId.equals(keyClient)) {
                assertEquals(200, clientCredentials(signed(key, claims(keyClient).build())).getStatusCode());
            }
            // (the next kind starts a fresh window)
            clock.advance(java.time.Duration.ofMinutes(10));
        }
    }

    private static String signed(RSAKey key, JWTClaimsSet claims) {
        try {
            return assertion(key, JWSAlgorithm.RS256, claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKeyClientCannotUseASecretAndASecretClientCannotUseAnAssertion() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String keyClient = registerInline(key);
        var secretClient = TestServices.registerClient(services, List.of());

        assertInvalidClient(oauth.token(Map.of("grant_type", "client_credentials"),
                OAuthEndpoints.basic(keyClient, "any-secret")), "private_key_jwt, not a secret");
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(secretClient.clientId()).build())), "not private_key_jwt");
        APIGatewayProxyResponseEvent both = oauth.token(Map.of("grant_type", "client_credentials",
                "client_assertion_type", BEARER, "client_assertion",
                assertion(key, JWSAlgorithm.RS256, claims(keyClient).build())),
                OAuthEndpoints.basic(keyClient, "x"));
        assertEquals(400, both.getStatusCode());
        assertEquals("invalid_request", OAuthEndpoints.json(both).path("error").asText());
    }

    @Test
    void anUnreachableOrFailingJwksUriIsTheClientsFailureNotAServerError() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        publish(key);
        publishedStatus.set(500);
        String failing = registerUri();
        var refused = LogCapture.during(() -> clientCredentials(signed(key, claims(failing).build())));
        assertInvalidClient(refused.result(), "answered 500");
        assertEquals(500, refused.line("client jwks_uri refused").path("status").asInt());

        publishedStatus.set(200);
        published.set("{\"keys\": \"not a list\"}");
        clock.advance(Duration.ofSeconds(11));
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256, claims(failing).build())),
                "jwks_uri");

        String unreachable = register(Json.object().put("jwks_uri",
                "http://127.0.0.1:" + FreePort.find() + "/jwks.json"));
        var unreached = LogCapture.during(() -> clientCredentials(signed(key, claims(unreachable).build())));
        assertInvalidClient(unreached.result(), "could not be fetched");
        // the operator's log names the cause, not the future that carried it
        assertEquals("ConnectException", unreached.line("client jwks_uri unusable").path("exception").asText());
    }

    @Test
    void unknownClientsAndMalformedAssertionParametersAreRefused() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        assertInvalidClient(clientCredentials(assertion(key, JWSAlgorithm.RS256,
                claims(UUID.randomUUID().toString()).build())), "client authentication failed");

        APIGatewayProxyResponseEvent otherType = oauth.token(Map.of("grant_type", "client_credentials",
                "client_assertion_type", "urn:example:saml", "client_assertion", "x"));
        assertInvalidClient(otherType, "client_assertion_type");
        APIGatewayProxyResponseEvent noAssertion = oauth.token(Map.of("grant_type", "client_credentials",
                "client_assertion_type", BEARER));
        assertEquals(400, noAssertion.getStatusCode());
        assertTrue(OAuthEndpoints.json(noAssertion).path("error_description").asText().contains("client_assertion"));
    }

    @Test
    void anAssertionWithoutKidIsVerifiedByTheRegisteredKeysOfItsAlgorithmOnly() throws Exception {
        // GIVEN a client with an EC key listed before an RSA key, neither naming an algorithm
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        String both = registerInline(ec, rsa);

        // WHEN it signs without a kid THEN the key of the algorithm's type verifies, whichever is listed first
        assertEquals(200, clientCredentials(withoutKid(rsa, JWSAlgorithm.RS256, claims(both).build())).getStatusCode());
        assertEquals(200, clientCredentials(withoutKid(rsa, JWSAlgorithm.PS256, claims(both).build())).getStatusCode());
        assertEquals(200, clientCredentials(withoutKid(ec, JWSAlgorithm.ES256, claims(both).build())).getStatusCode());

        // AND a client whose keys are all of the other type has no key for it (not "a signature that fails")
        String ecOnly = registerInline(new ECKeyGenerator(Curve.P_256).keyID("ec").generate());
        String rsaOnly = registerInline(new RSAKeyGenerator(2048).keyID("rsa").generate());
        assertInvalidClient(clientCredentials(withoutKid(rsa, JWSAlgorithm.RS256, claims(ecOnly).build())),
                "no registered key of the client has the kid null and the alg RS256");
        assertInvalidClient(clientCredentials(withoutKid(ec, JWSAlgorithm.ES256, claims(rsaOnly).build())),
                "no registered key of the client has the kid null and the alg ES256");

        // AND a key registered for RS256 verifies RS256 only, though the same RSA key could verify PS256
        RSAKey pinned = new RSAKeyGenerator(2048).keyID("pinned").algorithm(JWSAlgorithm.RS256).generate();
        String pinnedClient = registerInline(pinned);
        assertEquals(200, clientCredentials(withoutKid(pinned, JWSAlgorithm.RS256, claims(pinnedClient).build()))
                .getStatusCode());
        assertInvalidClient(clientCredentials(withoutKid(pinned, JWSAlgorithm.PS256, claims(pinnedClient).build())),
                "no registered key");
        assertInvalidClient(clientCredentials(assertion(pinned, JWSAlgorithm.PS256, claims(pinnedClient).build())),
                "no registered key of the client has the kid pinned and the alg PS256");
    }

    @Test
    void subMustNameAClientAndTheAssertionMayBeExactly8192Characters() throws Exception {
        // GIVEN a key client
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);

        // THEN no sub, or an empty one, is refused for what it is
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).subject(null).build())),
                "sub (the client id) is required");
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).subject("").build())),
                "sub (the client id) is required");
        // AND 128 characters are a client id to look up (nobody has this one)
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).subject("s".repeat(128)).build())),
                "client authentication failed");
        // AND an assertion of exactly 8,192 characters is read; one more is not
        assertEquals(200, clientCredentials(ofLength(key, clientId, 8_192)).getStatusCode());
        assertInvalidClient(clientCredentials(ofLength(key, clientId, 8_193)), "at most 8192 characters");
    }

    @Test
    void aSpentJtiStaysSpentForAsLongAsItsAssertionCouldBeAccepted() throws Exception {
        // GIVEN an assertion valid for a minute, used once, on a whole-second clock
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        clock.advance(Duration.ofMillis(1000 - clock.millis() % 1000));
        String once = signed(key, claims(clientId).expirationTime(Date.from(clock.instant().plusSeconds(60))).build());
        assertEquals(200, clientCredentials(once).getStatusCode());

        // WHEN it is shown again 29 s after its exp, still inside the 30 s clock skew
        clock.advance(Duration.ofSeconds(60 + 29));

        // THEN it is a replay
        assertInvalidClient(clientCredentials(once), "used before");
        // AND a second later it is simply expired
        clock.advance(Duration.ofSeconds(1));
        assertInvalidClient(clientCredentials(once), "expired");
    }

    @Test
    void aKeyClientsRowIsAnsweredFromTheContainersCacheWhileItsKeysVerifyTheAssertion() throws Exception {
        // GIVEN a key client that has just been given a token (its row read and cached)
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        assertEquals(200, clientCredentials(signed(key, claims(clientId).build())).getStatusCode());
        String clients = services.tables().of(ClientSchema.TABLE).tableName();
        int before = dynamoDb.keysRead(clients);

        // WHEN it asks for ten more within the cache's bound
        for (int i = 0; i < 10; i++) {
            assertEquals(200, clientCredentials(signed(key, claims(clientId).build())).getStatusCode());
        }

        // THEN its row was not read again: the cached keys verified each assertion
        assertEquals(0, dynamoDb.keysRead(clients) - before);
        // AND an assertion the cached keys do not verify is decided on a fresh read
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k").generate();
        assertInvalidClient(clientCredentials(signed(stranger, claims(clientId).build())), "signature");
        assertEquals(1, dynamoDb.keysRead(clients) - before);
    }

    @Test
    void aJwksUriAnswerIsReadUpToItsSizeLimitAndASlowOneIsCutOff() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerUri();
        int limit = dev.tokenservice.clients.ClientKeys.MAX_JWKS_CHARS * 4;

        // GIVEN an answer of exactly the size read: it is read whole, and then refused as a key set too long
        published.set(padded(limit));
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).build())),
                "jwks: must be at most " + dev.tokenservice.clients.ClientKeys.MAX_JWKS_CHARS + " characters");
        // AND one byte more is not read at all
        published.set(padded(limit + 1));
        clock.advance(Duration.ofSeconds(11));
        assertInvalidClient(clientCredentials(signed(key, claims(clientId).build())), "could not be fetched");

        // GIVEN a jwks_uri that answers after the request's time limit
        String slow = register(Json.object().put("jwks_uri",
                "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/slow/jwks.json"));
        // THEN the client is refused (not a server error) and the operator's log says which URI failed
        var cutOff = LogCapture.during(() -> clientCredentials(signed(key, claims(slow).build())));
        assertInvalidClient(cutOff.result(), "could not be fetched");
        assertTrue(cutOff.line("client jwks_uri unusable").path("jwks_uri").asText().contains("/slow/jwks.json"));
    }

    private static String padded(int bytes) {
        String head = "{\"keys\":[],\"pad\":\"";
        return head + "p".repeat(bytes - head.length() - 2) + "\"}";
    }

    /** A valid assertion of exactly this many characters (a padding claim and header parameter sized to fit). */
    private String ofLength(RSAKey key, String clientId, int length) throws Exception {
        for (int headerPad = 0; headerPad < 3; headerPad++) {
            for (int pad = length * 3 / 4 - 700; pad < length * 3 / 4; pad++) {
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                        .customParam("pad", "h".repeat(headerPad)).build(),
                        claims(clientId).claim("pad", "p".repeat(pad)).build());
                int unsigned = jwt.getSigningInput().length + 1 + 342;
                if (unsigned == length) {
                    jwt.sign(new RSASSASigner(key));
                    assertEquals(length, jwt.serialize().length());
                    return jwt.serialize();
                }
            }
        }
        throw new IllegalStateException("no assertion of " + length + " characters");
    }

    private static String withoutKid(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        return sign(key, new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims);
    }

    @Test
    void theAssertionParametersComeAsAPairAloneAndClientIdMustBeItsSub() throws Exception {
        // GIVEN a key client and an assertion it signed
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        java.util.function.Supplier<String> fresh = () -> signed(key, claims(clientId).build());

        // THEN an assertion without its type, or a type without an assertion, is a bad request naming the other
        // (at the token endpoint's grants for public clients too, where it is still an attempt to authenticate)
        for (String grant : List.of("client_credentials", "refresh_token")) {
            APIGatewayProxyResponseEvent untyped = oauth.token(Map.of("grant_type", grant, "refresh_token", "r",
                    "client_assertion", fresh.get()));
            assertEquals(400, untyped.getStatusCode(), grant + ": " + untyped.getBody());
            assertTrue(OAuthEndpoints.json(untyped).path("error_description").asText()
                    .contains("client_assertion_type is required"), untyped.getBody());
            APIGatewayProxyResponseEvent typeOnly = oauth.token(Map.of("grant_type", grant, "refresh_token", "r",
                    "client_assertion_type", BEARER));
            assertEquals(400, typeOnly.getStatusCode(), grant + ": " + typeOnly.getBody());
            assertTrue(OAuthEndpoints.json(typeOnly).path("error_description").asText()
                    .contains("client_assertion is required"), typeOnly.getBody());
        }
        // AND an assertion beside a posted secret, or its type beside Basic credentials, is two methods
        for (APIGatewayProxyResponseEvent both : List.of(
                oauth.token(Map.of("grant_type", "client_credentials", "client_assertion_type", BEARER,
                        "client_assertion", fresh.get(), "client_id", clientId, "client_secret", "x")),
                oauth.token(Map.of("grant_type", "client_credentials", "client_assertion_type", BEARER),
                        OAuthEndpoints.basic(clientId, "x")))) {
            assertEquals(400, both.getStatusCode(), both.getBody());
            assertTrue(OAuthEndpoints.json(both).path("error_description").asText().contains("one client authentication"));
        }
        // AND a posted client_id must be the assertion's sub
        APIGatewayProxyResponseEvent otherId = oauth.token(Map.of("grant_type", "client_credentials",
                "client_assertion_type", BEARER, "client_assertion", fresh.get(), "client_id", "someone-else"));
        assertEquals(400, otherId.getStatusCode(), otherId.getBody());
        assertTrue(OAuthEndpoints.json(otherId).path("error_description").asText().contains("does not match"));
        assertEquals(200, oauth.token(Map.of("grant_type", "client_credentials", "client_assertion_type", BEARER,
                "client_assertion", fresh.get(), "client_id", clientId)).getStatusCode());
    }

    @Test
    void aReEnabledKeyClientIsServedAtOnceThoughItsDisabledRowWasCached() throws Exception {
        // GIVEN a key client that was disabled and refused (its disabled row now in the container's cache)
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        String clientId = registerInline(key);
        assertEquals(200, activation(clientId, false));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(400, clientCredentials(signed(key, claims(clientId).build())).getStatusCode());

        // WHEN it is enabled again THEN its next assertion is served at the same instant: a disabled row grants
        // nothing, so it is read again
        assertEquals(200, activation(clientId, true));
        assertEquals(200, clientCredentials(signed(key, claims(clientId).build())).getStatusCode());
    }

    private int activation(String clientId, boolean enabled) {
        return new dev.tokenservice.functions.clients.ChangeClientActivationHandler(services).handleRequest(
                Requests.request("PATCH", "/api/2.0/clients/{clientId}/activation", "/api/2.0/clients/" + clientId
                        + "/activation", registrar, "{\"status\": " + enabled + "}"), null).getStatusCode();
    }

    // --- registration ------------------------------------------------------------------------------------------

    @Test
    void registrationTakesTheKeysAndShowsThemButNoSecret() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        ObjectNode body = validClient().put("token_endpoint_auth_method", "private_key_jwt");
        body.set("jwks", Json.MAPPER.readTree(new JWKSet(key.toPublicJWK()).toString()));

        APIGatewayProxyResponseEvent created = create(body);

        assertEquals(201, created.getStatusCode(), created.getBody());
        JsonNode client = OAuthEndpoints.json(created);
        assertFalse(client.has("client_secret"), "a key client has no secret to show");
        assertEquals("private_key_jwt", client.path("token_endpoint_auth_method").asText());
        assertEquals("[\"private_key_jwt\"]", client.path("authentication_methods").toString());
        assertEquals("k", client.path("jwks").path("keys").path(0).path("kid").asText());
        JsonNode read = OAuthEndpoints.json(new GetClientHandler(services).handleRequest(Requests.request("GET",
                "/api/2.0/clients/{clientId}", "/api/2.0/clients/" + client.path("client_id").asText(), registrar,
                null), null));
        assertEquals("private_key_jwt", read.path("token_endpoint_auth_method").asText());
    }

    @Test
    void registrationRefusesKeysThatCannotServeAndNamesTheField() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        ObjectNode withPrivate = validClient().put("token_endpoint_auth_method", "private_key_jwt");
        withPrivate.set("jwks", Json.MAPPER.readTree(new JWKSet(key).toString(false)));
        ObjectNode hmac = validClient().put("token_endpoint_auth_method", "private_key_jwt");
        hmac.set("jwks", Json.MAPPER.readTree("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQ\"}]}"));
        ObjectNode secretWithKeys = validClient();
        secretWithKeys.set("jwks", Json.MAPPER.readTree(new JWKSet(key.toPublicJWK()).toString()));

        Map<ObjectNode, String> refused = new java.util.LinkedHashMap<>();
        refused.put(validClient().put("token_endpoint_auth_method", "private_key_jwt"), "jwks");
        refused.put(withPrivate, "jwks: must hold public keys only");
        refused.put(hmac, "jwks: keys must be RSA or EC");
        refused.put(secretWithKeys, "jwks: only a client whose token_endpoint_auth_method is private_key_jwt");
        refused.put(validClient().put("token_endpoint_auth_method", "client_secret_jwt"), "token_endpoint_auth_method");
        // Key sets the JWK library cannot read as given (a null or a string where a key goes): a 400, never a 500.
        for (String unreadable : List.of("{\"keys\":[null]}", "{\"keys\":[\"k\"]}", "{\"keys\":[1]}")) {
            ObjectNode body = validClient().put("token_endpoint_auth_method", "private_key_jwt");
            body.set("jwks", Json.MAPPER.readTree(unreadable));
            refused.put(body, "jwks: is not a JWK set");
        }
        refused.put(validClient().put("token_endpoint_auth_method", "private_key_jwt")
                .put("jwks_uri", "http://keys.example.com/jwks.json"), "jwks_uri: must be an https URL");
        refused.put(validClient().put("token_endpoint_auth_method", "private_key_jwt").put("allow_pkce", true)
                .put("jwks_uri", "https://keys.example.com/jwks.json"), "allow_pkce");
        for (var entry : refused.entrySet()) {
            APIGatewayProxyResponseEvent response = create(entry.getKey());
            assertEquals(400, response.getStatusCode(), entry.getKey() + " -> " + response.getBody());
            assertTrue(response.getBody().contains(entry.getValue()), entry.getValue() + " in " + response.getBody());
        }
    }

    @Test
    void loopbackHttpJwksUrisAreRefusedWhereTheDeploymentDoesNotAllowThem() {
        Services deployed = TestServices.create(clock, Map.of());
        ObjectNode body = validClient().put("token_endpoint_auth_method", "private_key_jwt")
                .put("jwks_uri", "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");

        APIGatewayProxyResponseEvent response = new CreateClientHandler(deployed).handleRequest(Requests.request("POST",
                "/api/2.0/clients", "/api/2.0/clients", Requests.token(deployed, "owner-1", List.of("clients:write")),
                body.toString()), null);

        assertEquals(400, response.getStatusCode(), response.getBody());
        assertTrue(response.getBody().contains("jwks_uri: must be an https URL"), response.getBody());
    }

    @Test
    void theMetadataAdvertisesPrivateKeyJwtWithItsAlgorithms() {
        JsonNode metadata = OAuthEndpoints.json(new GetServerMetadataHandler(services).handleRequest(
                Requests.request("GET", "/.well-known/oauth-authorization-server",
                        "/.well-known/oauth-authorization-server", null, null), null));

        for (String endpoint : List.of("token_endpoint", "introspection_endpoint", "revocation_endpoint")) {
            assertTrue(metadata.path(endpoint + "_auth_methods_supported").toString().contains("\"private_key_jwt\""));
            assertEquals("[\"RS256\",\"ES256\",\"PS256\"]",
                    metadata.path(endpoint + "_auth_signing_alg_values_supported").toString());
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private APIGatewayProxyResponseEvent clientCredentials(String assertion) {
        return oauth.token(Map.of("grant_type", "client_credentials", "client_assertion_type", BEARER,
                "client_assertion", assertion));
    }

    private static void assertInvalidClient(APIGatewayProxyResponseEvent response, String because) {
        assertEquals(401, response.getStatusCode(), response.getBody());
        JsonNode body = OAuthEndpoints.json(response);
        assertEquals("invalid_client", body.path("error").asText());
        assertTrue(body.path("error_description").asText().contains(because),
                "'" + because + "' in " + body.path("error_description").asText());
    }

    private JWTClaimsSet.Builder claims(String clientId) {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(TOKEN_ENDPOINT)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60)))
                .jwtID(UUID.randomUUID().toString());
    }

    private static String assertion(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        return sign(key, new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    }

    private static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) throws Exception {
        JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private String registerInline(JWK... keys) throws Exception {
        List<JWK> publicKeys = java.util.Arrays.stream(keys).map(JWK::toPublicJWK).toList();
        ObjectNode extra = Json.object();
        extra.set("jwks", Json.MAPPER.readTree(new JWKSet(publicKeys).toString()));
        return register(extra);
    }

    private String registerUri() {
        return register(Json.object().put("jwks_uri",
                "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks.json"));
    }

    private String register(ObjectNode keys) {
        ObjectNode body = validClient().put("token_endpoint_auth_method", "private_key_jwt");
        body.setAll(keys);
        APIGatewayProxyResponseEvent created = create(body);
        assertEquals(201, created.getStatusCode(), created.getBody());
        return OAuthEndpoints.json(created).path("client_id").asText();
    }

    private void publish(JWK... keys) {
        published.set(new JWKSet(java.util.Arrays.stream(keys).map(JWK::toPublicJWK).toList()).toString());
    }

    private APIGatewayProxyResponseEvent create(ObjectNode body) {
        return new CreateClientHandler(services).handleRequest(Requests.request("POST", "/api/2.0/clients",
                "/api/2.0/clients", registrar, body.toString()), null);
    }

    private static ObjectNode validClient() {
        ObjectNode body = Json.object()
                .put("name", "Key client")
                .put("description", "signs its own assertions")
                .put("logo", "data:image/png;base64,iVBORw0KGgo=")
                .put("website_url", "https://app.example.com")
                .put("terms_url", "https://app.example.com/terms")
                .put("policy_url", "https://app.example.com/privacy")
                .put("logout_redirect_uri", "https://app.example.com/bye")
                .put("allow_pkce", false);
        body.putArray("redirect_uris").add("https://app.example.com/cb");
        body.putArray("allowed_origins").add("https://app.example.com");
        body.putArray("scopes").add("openid");
        return body;
    }
}
