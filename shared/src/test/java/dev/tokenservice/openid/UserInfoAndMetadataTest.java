package dev.tokenservice.openid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.signing.TokenSigner;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The claims userinfo tells about a token, and the algorithms discovery announces. */
class UserInfoAndMetadataTest {

    @Test
    void userinfoTellsTheTokensTimesAndItsTenantWhetherWrittenAsTextOrNumber() {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject("user-1").audience("https://issuer.test")
                .issuer("https://issuer.test").jwtID("j-1").claim("scope", "openid")
                .issueTime(new Date(1_700_000_000_000L)).expirationTime(new Date(1_700_003_600_000L))
                .notBeforeTime(new Date(1_700_000_060_000L));

        ObjectNode textTenant = UserInfo.of(caller(claims.claim("tid", "tenant-7").build()));
        ObjectNode numberTenant = UserInfo.of(caller(claims.claim("tid", 7).build()));
        ObjectNode noTenant = UserInfo.of(caller(claims.claim("tid", null).notBeforeTime(null).build()));

        assertEquals(1_700_000_000L, textTenant.path("iat").asLong());
        assertEquals(1_700_003_600L, textTenant.path("exp").asLong());
        assertEquals(1_700_000_060L, textTenant.path("nbf").asLong());
        assertEquals("tenant-7", textTenant.path("tid").asText());
        assertEquals(7, numberTenant.path("tid").asLong());
        assertEquals(true, numberTenant.path("tid").isNumber());
        assertFalse(noTenant.has("tid"));
        assertFalse(noTenant.has("nbf"));
    }

    @Test
    void discoveryAnnouncesEachPublishedKeysAlgorithmAndTheSignersForAKeyWithoutOne() throws Exception {
        // GIVEN the active key published without "alg", beside another key that names its algorithm
        RSAKey signing = new RSAKeyGenerator(2048).keyID("k-1").generate();
        JWK withoutAlgorithm = signing.toPublicJWK();
        JWK withAlgorithm = new RSAKeyGenerator(2048).keyID("k-2").algorithm(JWSAlgorithm.RS512).generate()
                .toPublicJWK();
        TokenSigner signer = new TokenSigner() {
            public String keyId() {
                return "k-1";
            }

            public JWSAlgorithm algorithm() {
                return JWSAlgorithm.PS256;
            }

            public JWSSigner jwsSigner() {
                try {
                    return new RSASSASigner(signing);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };

        ObjectNode metadata = ServerMetadata.describe("https://issuer.test",
                new SigningKeys(signer, List.of(withoutAlgorithm, withAlgorithm)), List.of("client_credentials"));

        assertEquals(Set.of("PS256", "RS512"), Set.copyOf(
                dev.tokenservice.http.Json.MAPPER.convertValue(metadata.path("id_token_signing_alg_values_supported"),
                        List.class)));
    }

    private static Caller caller(JWTClaimsSet claims) {
        return new Caller(claims.getSubject(), "client-1", Set.of("openid"), claims.getJWTID(),
                claims.getExpirationTime().toInstant().getEpochSecond(), claims);
    }
}
