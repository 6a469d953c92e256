package dev.tokenservice.functions.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.functions.housekeeping.RotateSigningKeysHandler;
import dev.tokenservice.functions.wellknown.GetJwksHandler;
import dev.tokenservice.http.Json;
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

/**
 * The `wrapped` mode through the handlers: the scheduled rotation creates the key, the token endpoint signs with it
 * after one Decrypt and no KMS call per token, the JWKS publishes it, introspection verifies it, and the emergency
 * rotation (the rotation function invoked with {"revoke": kid}) ends it.
 */
class WrappedSigningModeTest {

    private static KeyPairKms keyPairKms;
    private static String wrappingKey;

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
        wrappingKey = moto.createKey(r -> r.keySpec(KeySpec.SYMMETRIC_DEFAULT)).keyMetadata().arn();
        moto.enableKeyRotation(r -> r.keyId(wrappingKey));
    }

    @AfterAll
    static void stopKms() {
        keyPairKms.close();
    }

    @BeforeEach
    void setUp() {
        KmsClient kms = keyPairKms.client(kmsCalls);
        AtomicReference<Services> wired = new AtomicReference<>();
        services = TestServices.create(clock, Map.of("SIGNING_MODE", "wrapped", "KEY_WRAPPING_KEY_ID", wrappingKey),
                new Faults(), () -> Services.wrappedSigningKeys(wired.get().settings(), clock, kms, wired.get().tables())
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
        // GIVEN a deployment whose rotation has run once (a token asked for before that gets 503, never a 500)
        assertEquals(503, tokens.handleRequest(tokenRequest(), null).getStatusCode());
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
