package dev.tokenservice.functions.wellknown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;

class GetJwksHandlerTest {

    private final Services services = TestServices.create(MutableClock.startingNow());

    @ParameterizedTest
    @Event(value = "events/GetJwksFunction.json", type = APIGatewayProxyRequestEvent.class)
    void publishesOnlyPublicKeysThatVerifyIssuedTokens(APIGatewayProxyRequestEvent event) throws Exception {
        // GIVEN a token issued by the service
        String token = services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, "c", "c",
                List.of(), List.of(TestServices.ISSUER), Duration.ofMinutes(5))).value();

        // WHEN a resource server fetches the JWKS
        APIGatewayProxyResponseEvent response = new GetJwksHandler(services).handleRequest(event, null);

        // THEN it is cacheable, holds no private part, and its key for the token's kid verifies the token
        assertEquals(200, response.getStatusCode());
        assertTrue(response.getHeaders().get("Cache-Control").contains("max-age="));
        JWKSet jwks = JWKSet.parse(response.getBody());
        assertFalse(response.getBody().contains("\"d\""), "no private exponent");
        SignedJWT jwt = SignedJWT.parse(token);
        JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertEquals("sig", key.getKeyUse().identifier());
        assertEquals("RS256", key.getAlgorithm().getName());
        assertTrue(jwt.verify(new RSASSAVerifier(key.toRSAKey())));
    }
}
