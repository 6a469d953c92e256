package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.functions.housekeeping.RotateSigningKeysHandler;
import dev.tokenservice.functions.wellknown.GetJwksHandler;
import dev.tokenservice.config.Settings;
import dev.tokenservice.http.Json;
import dev.tokenservice.signing.KmsSigningKeys;
import dev.tokenservice.testing.Faults;
import dev.tokenservice.testing.KeyPairKms;
import dev.tokenservice.testing.MotoKms;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.testing.TestServices.RegisteredClient;
import dev.tokenservice.wiring.Services;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * The `wrapped` mode through the handlers: the scheduled rotation creates the key, the token endpoint signs with it
 * after one Decrypt and no KMS call per token, the JWKS publishes it, introspection verifies it, and the emergency
 * rotation (the rotation function invoked with {"revoke": kid}) ends it. As the template deploys it, the stack's KMS
 * signing key is configured too: a stack switched from `kms` keeps verifying the tokens that key signed, and issues
 * through it while the ring has no active key.
 */
class WrappedSigningModeTest {

    private static KeyPairKms keyPairKms;
    private static String wrappingKey;
    private static String signingKey;

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    private final Faults kmsCalls = new Faults();
    private Services services;
    private RotateSigningKeysHandler rotation;
    private IssueTokenHandler tokens;
    private IntrospectTokenHandler introspection;
    private GetJwksHandler jwks;
    private RegisteredClient client;

    @BeforeAll
    static void startKms() {
        keyPairKms = KeyPairKms.start();
        KmsClient moto = MotoKms.client();
        wrappingKey = MotoKms.newWrappingKey();
        signingKey = moto.createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata().arn();
    }

    @AfterAll
    static void stopKms() {
        keyPairKms.close();
    }

    @BeforeEach
    void setUp() {
        KmsClient kms = keyPairKms.client(kmsCalls);
        AtomicReference<Services> wired = new AtomicReference<>();
        services = TestServices.create(clock, Map.of("SIGNING_MODE", "wrapped", "KEY_WRAPPING_KEY_ID", wrappingKey,
                        "KMS_SIGNING_KEY_ID", signingKey), new Faults(), () -> Services.wrappedSigningKeys(wired.get().settings(), clock, kms, wired.get().tables())
                        .signingKeys());
        wired.set(services);
        rotation = new RotateSigningKeysHandler(services.keyRotation(kms));
        tokens = new IssueTokenHandler(services);
        introspection = new IntrospectTokenHandler(services);
        jwks = new GetJwksHandler(services);
        client = TestServices.registerClient(services, List.of());
    }

    @Test
    void tokensAreSignedLocallyAfterOneDecryptPublishedAndIntrospected() throws Exception {
        // GIVEN a deployment whose rotation has run once
        String kid = (String) rotation.handleRequest(Map.of("schedule", "SigningKeyRotationSchedule"), null).get("active");
        clock.advance(services.settings().signingKeyRefresh());

        // WHEN the token endpoint is primed (as before a SnapStart snapshot) and then issues 20 tokens
        tokens.prime();
        assertEquals(0, kmsCalls.calls("Decrypt"), "priming decrypts no private key");
        String token = null;
        for (int i = 0; i < 20; i++) {
            token = issue();
        }

        // THEN one Decrypt served all of them and no token cost a KMS call
        assertEquals(1, kmsCalls.calls("Decrypt"));
        assertEquals(0, kmsCalls.calls("Sign"));
        assertEquals(kid, SignedJWT.parse(token).getHeader().getKeyID());
        // AND the JWKS publishes the key, and introspection finds the token active
        JWKSet published = JWKSet.parse(jwks.handleRequest(new APIGatewayProxyRequestEvent(), null).getBody());
        assertTrue(published.getKeyByKeyId(kid) != null);
        assertTrue(introspect(token).path("active").asBoolean());
    }

    @Test
    void theEmergencyRotationMakesEveryTokenOfTheExposedKeyInactive() throws Exception {
        String exposed = (String) rotation.handleRequest(Map.of(), null).get("active");
        clock.advance(services.settings().signingKeyRefresh());
        String token = issue();
        assertTrue(introspect(token).path("active").asBoolean());

        // WHEN the operator runs the documented command: the rotation function with {"revoke": "<kid>"}
        Map<String, Object> outcome = rotation.handleRequest(Map.of("revoke", exposed), null);

        // THEN within the refresh interval the key signs nothing, is out of the JWKS, and its tokens are inactive
        assertEquals(List.of(exposed), outcome.get("removed"));
        clock.advance(services.settings().signingKeyRefresh());
        assertFalse(introspect(token).path("active").asBoolean());
        APIGatewayProxyResponseEvent keys = jwks.handleRequest(new APIGatewayProxyRequestEvent(), null);
        assertNull(JWKSet.parse(keys.getBody()).getKeyByKeyId(exposed));
        String replacement = issue();
        assertNotEquals(exposed, SignedJWT.parse(replacement).getHeader().getKeyID());
        assertTrue(introspect(replacement).path("active").asBoolean());
    }

    @Test
    void tokensIssuedAcrossAScheduledRotationKeepVerifyingUntilTheyExpire() throws Exception {
        rotation.handleRequest(Map.of(), null);
        clock.advance(services.settings().signingKeyRefresh());
        String before = issue();
        Duration period = services.settings().signingKeyRotationPeriod();

        // WHEN the period passes with the schedule running (publish lead, then activation)
        clock.advance(period.minus(services.settings().signingKeyPublishLead()));
        rotation.handleRequest(Map.of(), null);
        clock.advance(services.settings().signingKeyPublishLead());
        rotation.handleRequest(Map.of(), null);
        String after = issue();

        // THEN the new token has the new key, and both introspect active while unexpired
        assertNotEquals(SignedJWT.parse(before).getHeader().getKeyID(), SignedJWT.parse(after).getHeader().getKeyID());
        assertTrue(introspect(after).path("active").asBoolean());
        assertEquals(Duration.ofHours(1), services.settings().accessTokenTtl(), "the default lifetime");
        assertFalse(introspect(before).path("active").asBoolean(), "a month later the first token has expired");
    }

    @Test
    void beforeTheFirstRingKeyTheKmsKeySignsThenRingKeysSignWithoutKmsSign() throws Exception {
        // GIVEN a fresh wrapped deployment: the rotation has not run, the ring is empty
        // WHEN a client asks for a token
        String early = issue();

        // THEN the stack's KMS key signed it (no 503), and it verifies with the JWKS and by introspection
        String kmsKid = SignedJWT.parse(early).getHeader().getKeyID();
        assertEquals(signingKey.substring(signingKey.lastIndexOf('/') + 1), kmsKid);
        assertEquals(1, kmsCalls.calls("Sign"));
        assertTrue(verifiesWithJwks(early));
        assertTrue(introspect(early).path("active").asBoolean());

        // WHEN the rotation has run and its first key is active, and 20 tokens are issued
        String ringKid = (String) rotation.handleRequest(Map.of("schedule", "SigningKeyRotationSchedule"), null)
                .get("active");
        clock.advance(services.settings().signingKeyRefresh());
        for (int i = 0; i < 20; i++) {
            assertEquals(ringKid, SignedJWT.parse(issue()).getHeader().getKeyID());
        }

        // THEN none of them cost a KMS Sign, and the early token still verifies
        assertEquals(1, kmsCalls.calls("Sign"));
        assertTrue(verifiesWithJwks(early));
        assertTrue(introspect(early).path("active").asBoolean());
        assertEquals(1, kmsCalls.calls("GetPublicKey"), "the KMS public key is fetched once per container");
    }

    @Test
    void aTokenSignedInKmsModeKeepsVerifyingAfterTheStackSwitchesToWrapped() throws Exception {
        // GIVEN a token issued while the stack ran in kms mode, over the same tables and KMS signing key
        Services kmsMode = new Services(
                Settings.of(Map.of("SIGNING_MODE", "kms", "KMS_SIGNING_KEY_ID", signingKey,
                        "CLIENTS_TABLE", services.settings().clientsTable(),
                        "TOKENS_TABLE", services.settings().tokensTable(),
                        "CONSENTS_TABLE", services.settings().consentsTable())),
                clock, services::tables, () -> KmsSigningKeys.load(keyPairKms.client(), signingKey, List.of()),
                services::secretHasher);
        String beforeSwitch = Json.MAPPER.readTree(new IssueTokenHandler(kmsMode).handleRequest(tokenRequest(), null)
                .getBody()).path("access_token").asText();

        // WHEN the stack switches to wrapped (this test's containers) and the ring's first key has become active
        rotation.handleRequest(Map.of(), null);
        clock.advance(services.settings().signingKeyRefresh());
        assertNotEquals(SignedJWT.parse(beforeSwitch).getHeader().getKeyID(),
                SignedJWT.parse(issue()).getHeader().getKeyID());

        // THEN the kms-signed token verifies with the published JWKS and by this service's introspection
        assertTrue(verifiesWithJwks(beforeSwitch));
        assertTrue(introspect(beforeSwitch).path("active").asBoolean());
        // AND that costs no KMS call per request: the public key was fetched once for the container
        assertTrue(introspect(beforeSwitch).path("active").asBoolean());
        assertEquals(1, kmsCalls.calls("GetPublicKey"));
        assertEquals(0, kmsCalls.calls("Sign"));
    }

    private boolean verifiesWithJwks(String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        JWKSet published = JWKSet.parse(jwks.handleRequest(new APIGatewayProxyRequestEvent(), null).getBody());
        var key = published.getKeyByKeyId(jwt.getHeader().getKeyID());
        return key != null && jwt.verify(new RSASSAVerifier(key.toRSAKey()));
    }

    private String issue() throws Exception {
        APIGatewayProxyResponseEvent issued = tokens.handleRequest(tokenRequest(), null);
        assertEquals(200, issued.getStatusCode(), issued.getBody());
        return Json.MAPPER.readTree(issued.getBody()).path("access_token").asText();
    }

    private APIGatewayProxyRequestEvent tokenRequest() {
        return formPost("/oauth2/token", "grant_type=client_credentials");
    }

    private JsonNode introspect(String token) throws Exception {
        APIGatewayProxyResponseEvent answer = introspection.handleRequest(
                formPost("/oauth2/introspect", "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)), null);
        assertEquals(200, answer.getStatusCode());
        return Json.MAPPER.readTree(answer.getBody());
    }

    private APIGatewayProxyRequestEvent formPost(String path, String body) {
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod("POST").withResource(path).withPath(path)
                .withHeaders(Map.of("Host", "issuer.test", "X-Forwarded-Proto", "https",
                        "Content-Type", "application/x-www-form-urlencoded",
                        "Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                (client.clientId() + ":" + client.secret()).getBytes(StandardCharsets.UTF_8))))
                .withBody(body);
    }
}
