package dev.tokenservice.oauth.token;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The token endpoint's list of grants is checked when a function starts, not when a request finds it wrong. */
class TokenEndpointTest {

    @Test
    void aGrantListedUnderAnotherTypeOrTwiceStopsTheFunctionFromStarting() {
        Grant.Supported codes = new Grant.Supported("authorization_code", () -> grant("authorization_code"));
        Grant.Supported mislabelled = new Grant.Supported("client_credentials", () -> grant("refresh_token"));

        IllegalStateException wrongType = assertThrows(IllegalStateException.class,
                () -> new TokenEndpoint(List.of(codes, mislabelled), null));
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> new TokenEndpoint(List.of(codes, codes), null));

        assertTrue(wrongType.getMessage().contains("listed as client_credentials is refresh_token"), wrongType.getMessage());
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
        new TokenEndpoint(List.of(codes, new Grant.Supported("refresh_token", () -> grant("refresh_token"))), null);
    }

    private static Grant grant(String type) {
        return new Grant() {
            @Override
            public String grantType() {
                return type;
            }

            @Override
            public TokenResponse exchange(TokenRequest request, String issuerUrl) {
                throw new UnsupportedOperationException("never asked in this test");
            }
        };
    }
}
