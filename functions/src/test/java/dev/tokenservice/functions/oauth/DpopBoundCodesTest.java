package dev.tokenservice.functions.oauth;

import static dev.tokenservice.functions.oauth.OAuthEndpoints.json;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.redirectParameters;
import static dev.tokenservice.functions.oauth.OAuthEndpoints.ticketOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.oauth.token.OpaqueTokens;
import dev.tokenservice.testing.DpopProver;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9449 §10: an authorization code bound to a DPoP key, by dpop_jkt in the authorization request or by a DPoP
 * proof sent with the pushed request (§10.1), is redeemed only with a proof signed by that key; the binding travels
 * through the consent page's ticket. Proofs are made by Nimbus in the test (DpopProver).
 */
class DpopBoundCodesTest {

    private static final String TOKEN_URI = TestServices.ISSUER + "/oauth2/token";
    private static final String PAR_URI = TestServices.ISSUER + "/oauth2/par";
    private static final String REDIRECT_URI = "https://app.example.com/callback";

    private MutableClock clock;
    private Services services;
    private OAuthEndpoints oauth;
    private PushAuthorizationRequestHandler par;
    private DpopProver prover;
    private String clientId;
    private String session;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        oauth = new OAuthEndpoints(services);
        par = new PushAuthorizationRequestHandler(services);
        prover = DpopProver.es256(clock);
        ClientItem client = OAuthEndpoints.codeFlowClient(services, clock, "Phone app", SecretHasher.newSecret());
        client.setScopes(List.of("openid"));
        client.setRedirectUris(List.of(REDIRECT_URI));
        client.setAuthenticationMethods(List.of("none"));
        services.clientRepository().create(client);
        clientId = client.getClientId();
        session = Requests.session(services, "user-8");
    }

    @Test
    void aCodeAskedWithDpopJktIsRedeemedOnlyWithAProofOfThatKey() throws Exception {
        // GIVEN a code whose authorization request named the client's key (dpop_jkt), through the consent page
        String verifier = OpaqueTokens.newValue();
        Map<String, String> request = new LinkedHashMap<>(OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, "openid", verifier));
        request.put("dpop_jkt", prover.thumbprint());
        String code = oauth.approvedCode(session, request);
        Map<String, String> exchange = OAuthEndpoints.publicExchange(clientId, code, REDIRECT_URI, verifier);

        // WHEN it is redeemed without a proof, or with another key's THEN invalid_dpop_proof, and it is not used up
        assertEquals("invalid_dpop_proof", json(oauth.tokenWithProof(exchange, null, null)).path("error").asText());
        assertEquals("invalid_dpop_proof", json(oauth.tokenWithProof(exchange, null,
                DpopProver.es256(clock).proof("POST", TOKEN_URI, null))).path("error").asText());

        // WHEN it is redeemed with a proof of the named key THEN tokens bound to it
        APIGatewayProxyResponseEvent bound = oauth.tokenWithProof(exchange, null, prover.proof("POST", TOKEN_URI, null));
        assertEquals(200, bound.getStatusCode(), bound.getBody());
        assertEquals("DPoP", json(bound).path("token_type").asText());
        assertEquals(Map.of("jkt", prover.thumbprint()), SignedJWT.parse(json(bound).path("access_token").asText())
                .getJWTClaimsSet().getJSONObjectClaim("cnf"));
    }

    @Test
    void aMalformedDpopJktIsRefusedAtTheRedirectUri() {
        Map<String, String> request = new LinkedHashMap<>(OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, "openid",
                OpaqueTokens.newValue()));
        request.put("dpop_jkt", "not-a-thumbprint");

        Map<String, String> refused = redirectParameters(oauth.authorize(session, request));

        assertEquals("invalid_request", refused.get("error"));
        assertEquals(true, refused.get("error_description").contains("dpop_jkt"), refused.get("error_description"));
    }

    @Test
    void aProofSentWithThePushedRequestBindsTheCodeToItsKey() {
        // GIVEN a pushed request that carried a DPoP proof (and no dpop_jkt)
        String verifier = OpaqueTokens.newValue();
        APIGatewayProxyResponseEvent pushed = push(pushedRequest(verifier), prover.proof("POST", PAR_URI, null));
        assertEquals(201, pushed.getStatusCode(), pushed.getBody());

        // WHEN the browser brings its request_uri and the person approves
        APIGatewayProxyResponseEvent page = oauth.authorize(session,
                Map.of("client_id", clientId, "request_uri", json(pushed).path("request_uri").asText()));
        String code = redirectParameters(oauth.decide(session, ticketOf(page), "approve")).get("code");
        Map<String, String> exchange = OAuthEndpoints.publicExchange(clientId, code, REDIRECT_URI, verifier);

        // THEN the code is redeemed only with a proof of the pushing key
        assertEquals("invalid_dpop_proof", json(oauth.tokenWithProof(exchange, null, null)).path("error").asText());
        APIGatewayProxyResponseEvent bound = oauth.tokenWithProof(exchange, null, prover.proof("POST", TOKEN_URI, null));
        assertEquals(200, bound.getStatusCode(), bound.getBody());
        assertEquals("DPoP", json(bound).path("token_type").asText());
    }

    @Test
    void aPushedRequestWhoseDpopJktIsNotTheProofsKeyOrWhoseProofIsBadIsRefused() {
        Map<String, String> mismatched = pushedRequest(OpaqueTokens.newValue());
        mismatched.put("dpop_jkt", DpopProver.es256(clock).thumbprint());
        APIGatewayProxyResponseEvent refused = push(mismatched, prover.proof("POST", PAR_URI, null));
        assertEquals(400, refused.getStatusCode());
        assertEquals("invalid_dpop_proof", json(refused).path("error").asText());

        APIGatewayProxyResponseEvent misdirected = push(pushedRequest(OpaqueTokens.newValue()),
                prover.proof("POST", TOKEN_URI, null));
        assertEquals("invalid_dpop_proof", json(misdirected).path("error").asText(), "a proof for another URI");

        String proof = prover.proof("POST", PAR_URI, null);
        assertEquals(201, push(pushedRequest(OpaqueTokens.newValue()), proof).getStatusCode());
        assertEquals("invalid_dpop_proof", json(push(pushedRequest(OpaqueTokens.newValue()), proof)).path("error").asText(),
                "a replayed proof");
        // AND the same key named by dpop_jkt alone, with its proof, is accepted
        Map<String, String> both = pushedRequest(OpaqueTokens.newValue());
        both.put("dpop_jkt", prover.thumbprint());
        assertEquals(201, push(both, prover.proof("POST", PAR_URI, null)).getStatusCode());
    }

    private Map<String, String> pushedRequest(String verifier) {
        Map<String, String> request = new LinkedHashMap<>(OAuthEndpoints.codeRequest(clientId, REDIRECT_URI, "openid", verifier));
        request.remove("client_id");
        request.put("client_id", clientId);
        return request;
    }

    private APIGatewayProxyResponseEvent push(Map<String, String> parameters, String proof) {
        APIGatewayProxyRequestEvent request = OAuthEndpoints.formPost("/oauth2/par", parameters);
        if (proof != null) {
            request.getHeaders().put("DPoP", proof);
        }
        return par.handleRequest(request, null);
    }
}
