package dev.tokenservice.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.tokens.IssuedAccessToken;
import dev.tokenservice.tokens.TokenKeys;
import dev.tokenservice.wiring.Services;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Caller authentication over DynamoDB Local: what a protected endpoint accepts and refuses. */
class CallerAuthenticatorTest {

    private static final String ISSUER = TestServices.ISSUER;

    private MutableClock clock;
    private Services services;
    private CallerAuthenticator authenticator;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        services = TestServices.create(clock);
        authenticator = services.callerAuthenticator();
    }

    @Test
    void aLiveTokenFromTheAuthorizationHeaderIdentifiesTheCaller() {
        IssuedAccessToken token = issue("client-a", "client-a", List.of(ServiceScopes.TOKENS_ADMIN));

        Caller caller = authenticator.authenticate(withHeader("Authorization", "Bearer " + token.value()), ISSUER);

        assertEquals("client-a", caller.subject());
        assertEquals("client-a", caller.clientId());
        assertEquals(token.jti(), caller.jti());
        assertTrue(caller.hasScope(ServiceScopes.TOKENS_ADMIN));
        caller.requireAnyScope(ServiceScopes.TOKENS_ADMIN);
    }

    @Test
    void theDocSpaceCookieIsAcceptedInsteadOfTheHeader() {
        IssuedAccessToken token = issue("client-a", "client-a", List.of());

        Caller caller = authenticator.authenticate(
                withHeader("Cookie", "theme=dark; asc_auth_key=" + token.value()), ISSUER);

        assertEquals("client-a", caller.clientId());
    }

    @Test
    void aMissingTokenIs401WithABearerChallenge() {
        ApiError error = refused(withHeader("Accept", "application/json"));

        assertEquals(401, error.status());
        assertEquals("Bearer", error.headers().get("WWW-Authenticate"));
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = issue("client-a", "client-a", List.of()).value();
        String[] parts = token.split("\\.");
        String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"admin\",\"scope\":\"tokens:admin\"}".getBytes());

        ApiError error = refused(withHeader("Authorization", "Bearer " + parts[0] + "." + forgedClaims + "." + parts[2]));

        assertEquals("invalid_token", error.code());
        assertEquals("the token signature is invalid", error.description());
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws Exception {
        var foreignKey = new RSAKeyGenerator(2048).keyID(services.signingKeys().active().keyId()).generate();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")).keyID(foreignKey.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).subject("x").claim("client_id", "x").jwtID("j")
                        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        forged.sign(new RSASSASigner(foreignKey));

        assertEquals("the token signature is invalid",
                refused(withHeader("Authorization", "Bearer " + forged.serialize())).description());
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = issue("client-a", "client-a", List.of()).value();

        clock.advance(Duration.ofMinutes(61));

        assertEquals("the access token has expired",
                refused(withHeader("Authorization", "Bearer " + token)).description());
    }

    @Test
    void aTokenIsNotLiveBeforeItsNotBeforeTime() {
        // GIVEN a genuine, stored token whose nbf is ten minutes ahead
        String token = services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER, "client-a", "client-a",
                List.of(), List.of(ISSUER), Duration.ofHours(1)).forOrg(null,
                Map.of("nbf", java.util.Date.from(clock.instant().plus(Duration.ofMinutes(10)))), null)).value();

        // THEN it is refused until then, and accepted from then on
        assertEquals("the access token is not valid yet", refused(bearer(token)).description());
        clock.advance(Duration.ofMinutes(10));
        assertEquals("client-a", authenticator.authenticate(bearer(token), ISSUER).subject());
    }

    @Test
    void aTokenMeantForAnotherAudienceIsRefusedAndOneNamingThisServiceAmongOthersAccepted() {
        String foreign = services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER, "client-a", "client-a",
                List.of(), List.of("https://other.example.com"), Duration.ofHours(1))).value();
        String shared = services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER, "client-a", "client-a",
                List.of(), List.of("https://other.example.com", ISSUER), Duration.ofHours(1))).value();

        assertEquals("the access token is not meant for this service (aud)", refused(bearer(foreign)).description());
        assertEquals("client-a", authenticator.authenticate(bearer(shared), ISSUER).subject());
        assertEquals("client-a", authenticator.authenticate(bearer(foreign), ISSUER,
                java.util.Set.of(ISSUER, "https://other.example.com")).subject(), "a configured audience of its own");
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() {
        String token = issue("client-a", "client-a", List.of()).value();

        ApiError error = assertThrows(ApiError.class, () -> authenticator.authenticate(
                withHeader("Authorization", "Bearer " + token), "https://other-stage.test"));

        assertEquals("the token was issued by another issuer", error.description());
    }

    @Test
    void revokingAClientStopsAllItsTokensAtOnceButNotOtherClients() {
        String first = issue("client-a", "client-a", List.of()).value();
        String second = issue("client-a", "client-a", List.of()).value();
        String other = issue("client-b", "client-b", List.of()).value();

        services.tokenRepository().recordRevocation(TokenKeys.clientRevocation("client-a"),
                clock.millis(), clock.instant().plus(Duration.ofDays(31)).getEpochSecond());

        assertEquals("the access token has been revoked", refused(bearer(first)).description());
        assertEquals("the access token has been revoked", refused(bearer(second)).description());
        assertEquals("client-b", authenticator.authenticate(bearer(other), ISSUER).clientId());
    }

    @Test
    void revokingASubjectAtAClientSparesTokensIssuedAfterwards() {
        String before = issue("user-1", "client-a", List.of()).value();
        services.tokenRepository().recordRevocation(TokenKeys.subjectAtClientRevocation("client-a", "user-1"),
                clock.millis(), clock.instant().plus(Duration.ofDays(31)).getEpochSecond());
        clock.advance(Duration.ofMillis(5));
        String after = issue("user-1", "client-a", List.of()).value();

        assertEquals(401, refused(bearer(before)).status());
        assertEquals("user-1", authenticator.authenticate(bearer(after), ISSUER).subject());
    }

    @Test
    void revokingASubjectEverywhereCoversEveryClient() {
        String atA = issue("user-1", "client-a", List.of()).value();
        String atB = issue("user-1", "client-b", List.of()).value();

        services.tokenRepository().recordRevocation(TokenKeys.subjectRevocation("user-1"),
                clock.millis(), clock.instant().plus(Duration.ofDays(31)).getEpochSecond());

        assertEquals(401, refused(bearer(atA)).status());
        assertEquals(401, refused(bearer(atB)).status());
    }

    @Test
    void revokingASessionStopsEveryTokenOfThatSessionOnly() {
        AccessTokenRequest inSession = new AccessTokenRequest(ISSUER, "user-1", "client-a", List.of(),
                List.of(ISSUER), Duration.ofHours(1)).inSession("session-1");
        String first = services.accessTokenIssuer().issue(inSession).value();
        String second = services.accessTokenIssuer().issue(inSession).value();
        String otherSession = services.accessTokenIssuer().issue(inSession.inSession("session-2")).value();

        services.tokenRepository().recordRevocation(TokenKeys.sessionRevocation("session-1"),
                clock.millis(), clock.instant().plus(Duration.ofDays(31)).getEpochSecond());

        assertEquals(401, refused(bearer(first)).status());
        assertEquals(401, refused(bearer(second)).status());
        assertEquals("user-1", authenticator.authenticate(bearer(otherSession), ISSUER).subject());
    }

    @Test
    void aSignedTokenWhoseRowIsGoneIsRefused() {
        IssuedAccessToken token = issue("client-a", "client-a", List.of());

        services.tokenRepository().delete(TokenKeys.accessToken(token.jti()));

        assertEquals("the access token has been revoked", refused(bearer(token.value())).description());
    }

    @Test
    void aMissingScopeIs403NamingTheScope() {
        Caller caller = authenticator.authenticate(bearer(issue("client-a", "client-a", List.of()).value()), ISSUER);

        ApiError error = assertThrows(ApiError.class, () -> caller.requireAnyScope(ServiceScopes.CLIENTS_ADMIN));

        assertEquals(403, error.status());
        assertEquals("insufficient_scope", error.code());
        assertTrue(error.description().contains(ServiceScopes.CLIENTS_ADMIN));
    }

    @Test
    void garbageIsRefusedAsMalformed() {
        assertEquals("the access token is malformed", refused(bearer("not-a-jwt")).description());
    }

    @Test
    void aTokenIsRefusedFromTheSecondOfItsExpiryOn() {
        // GIVEN a token living one hour from the current second
        String token = issue("client-a", "client-a", List.of()).value();

        // THEN it is accepted in its last second and refused at its exp second (RFC 7519 §4.1.4: "on or after")
        clock.advance(Duration.ofSeconds(3599));
        assertEquals("client-a", authenticator.authenticate(bearer(token), ISSUER).subject());
        clock.advance(Duration.ofSeconds(1));
        assertEquals("the access token has expired", refused(bearer(token)).description());
    }

    @Test
    void aTokenIssuedAheadOfThisClockIsAcceptedWithinFiveSecondsOfSkewOnly() {
        // GIVEN tokens whose iat, or nbf, lies 5 and 6 seconds ahead of this function's clock
        String fiveAhead = issue("client-a", "client-a", List.of()).value();
        clock.advance(Duration.ofSeconds(1));
        String sixAhead = issue("client-a", "client-a", List.of()).value();
        String notBeforeFiveAhead = services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER, "client-a",
                "client-a", List.of(), List.of(ISSUER), Duration.ofHours(1)).forOrg(null,
                Map.of("nbf", Date.from(clock.instant().plusSeconds(5))), null)).value();
        String notBeforeSixAhead = services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER, "client-a",
                "client-a", List.of(), List.of(ISSUER), Duration.ofHours(1)).forOrg(null,
                Map.of("nbf", Date.from(clock.instant().plusSeconds(6))), null)).value();
        clock.advance(Duration.ofSeconds(-6));

        // THEN the clocks' difference is forgiven up to 5 seconds, not beyond
        assertEquals("client-a", authenticator.authenticate(bearer(fiveAhead), ISSUER).subject());
        assertEquals("the access token is not valid yet", refused(bearer(sixAhead)).description());
        clock.advance(Duration.ofSeconds(6));
        assertEquals("client-a", authenticator.authenticate(bearer(notBeforeFiveAhead), ISSUER).subject());
        assertEquals("the access token is not valid yet", refused(bearer(notBeforeSixAhead)).description());
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveAndAnyOtherSchemeFallsBackToTheCookie() {
        String token = issue("client-a", "client-a", List.of()).value();
        String cookieToken = issue("client-b", "client-b", List.of()).value();

        assertEquals("client-a", authenticator.authenticate(withHeader("Authorization", "bEARER " + token), ISSUER)
                .clientId());
        assertEquals("client-a", authenticator.authenticate(withHeader("Authorization", "Bearer  " + token + " "),
                ISSUER).clientId(), "surrounding spaces are not part of the token");
        assertEquals("client-b", authenticator.authenticate(withHeaders(Map.of(
                "Authorization", "Basic " + token, "Cookie", "asc_auth_key=" + cookieToken)), ISSUER).clientId());
        assertEquals("client-b", authenticator.authenticate(withHeaders(Map.of(
                "Authorization", "Bearer   ", "Cookie", "asc_auth_key=" + cookieToken)), ISSUER).clientId(),
                "an empty bearer token is no token");
        assertEquals("Bearer", refused(withHeaders(Map.of("Authorization", "Bearer ", "Cookie", "asc_auth_key=")))
                .headers().get("WWW-Authenticate"), "an empty cookie is no token either");
    }

    @Test
    void aTokenOfThisServiceThatIsNotAnAccessTokenIsRefused() throws Exception {
        // GIVEN tokens signed by this service's own key: one typed as an ID token, and access tokens lacking a claim
        JWTClaimsSet complete = new JWTClaimsSet.Builder().issuer(ISSUER).subject("client-a").audience(ISSUER)
                .claim("client_id", "client-a").jwtID("jti-1").issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plusSeconds(600))).build();

        assertEquals("the token is not an access token (typ at+jwt)",
                refused(bearer(signedByThisService("JWT", complete))).description());
        for (String claim : List.of("jti", "client_id", "sub")) {
            JWTClaimsSet lacking = new JWTClaimsSet.Builder(complete).claim(claim, null).build();
            assertEquals("the access token lacks jti, client_id or sub",
                    refused(bearer(signedByThisService("at+jwt", lacking))).description(), claim);
        }
        JWTClaimsSet withoutExpiry = new JWTClaimsSet.Builder(complete).expirationTime(null).build();
        assertEquals("the access token has expired",
                refused(bearer(signedByThisService("at+jwt", withoutExpiry))).description(), "no exp, no life");
        JWTClaimsSet withoutAudience = new JWTClaimsSet.Builder(complete).audience((String) null).build();
        assertEquals("the access token is not meant for this service (aud)",
                refused(bearer(signedByThisService("at+jwt", withoutAudience))).description());
    }

    @Test
    void theCallerCarriesExactlyTheTokensScopesAndIsAddressedByName() throws Exception {
        // GIVEN a token with two scopes (one written twice, with extra spaces) and a display name
        IssuedAccessToken issued = services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER, "user-1",
                "client-a", List.of("clients:read", "", "tokens:admin", "clients:read"), List.of(ISSUER),
                Duration.ofHours(1)).forOrg(null, Map.of("name", "Ada Lovelace"), null));

        Caller caller = authenticator.authenticate(bearer(issued.value()), ISSUER);

        assertEquals(java.util.Set.of("clients:read", "tokens:admin"), caller.scopes());
        assertTrue(caller.hasScope("tokens:admin"));
        assertFalse(caller.hasScope("clients:write"));
        assertEquals(caller, caller.requireAnyScope("clients:write", "tokens:admin"), "either scope is enough");
        assertEquals(clock.instant().getEpochSecond() + 3600, caller.expiresAt());
        assertEquals("Ada Lovelace", caller.displayName());
        assertEquals("client-a", callerWith(Map.of("preferred_username", "   "), "client-a").displayName(),
                "a blank name is no name");
        assertEquals("ada", callerWith(Map.of("preferred_username", "ada"), "client-a").displayName());
        assertEquals("client-a", callerWith(Map.of(), "client-a").displayName());
        assertEquals("client-a", new Caller("client-a", "client-a", java.util.Set.of(), "j", 0, null).displayName());
    }

    private Caller callerWith(Map<String, Object> claims, String subject) {
        return authenticator.authenticate(bearer(services.accessTokenIssuer().issue(new AccessTokenRequest(ISSUER,
                subject, subject, List.of(), List.of(ISSUER), Duration.ofHours(1)).forOrg(null, claims, null))
                .value()), ISSUER);
    }

    private String signedByThisService(String type, JWTClaimsSet claims) throws Exception {
        var signer = services.signingKeys().active();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signer.algorithm()).type(new JOSEObjectType(type))
                .keyID(signer.keyId()).build(), claims);
        jwt.sign(signer.jwsSigner());
        return jwt.serialize();
    }

    private IssuedAccessToken issue(String subject, String clientId, List<String> scopes) {
        return services.accessTokenIssuer().issue(new AccessTokenRequest(
                ISSUER, subject, clientId, scopes, List.of(ISSUER), Duration.ofHours(1)));
    }

    private ApiError refused(ApiRequest request) {
        return assertThrows(ApiError.class, () -> authenticator.authenticate(request, ISSUER));
    }

    private static ApiRequest bearer(String token) {
        return withHeader("Authorization", "Bearer " + token);
    }

    private static ApiRequest withHeader(String name, String value) {
        return withHeaders(Map.of(name, value));
    }

    private static ApiRequest withHeaders(Map<String, String> headers) {
        return new ApiRequest(new APIGatewayProxyRequestEvent().withHttpMethod("GET").withHeaders(headers));
    }
}
