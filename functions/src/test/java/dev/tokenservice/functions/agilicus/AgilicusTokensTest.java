package dev.tokenservice.functions.agilicus;

import static dev.tokenservice.functions.agilicus.AgilicusApi.json;
import static dev.tokenservice.functions.agilicus.AgilicusApi.ok;
import static dev.tokenservice.functions.agilicus.AgilicusApi.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Agilicus TokensApi through its handlers, over DynamoDB Local: what an SDK user sees. */
class AgilicusTokensTest {

    private MutableClock clock;
    private AgilicusApi api;
    private String admin;
    private String user;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        api = new AgilicusApi(TestServices.create(clock));
        admin = Requests.token(api.services, "admin-1", List.of(ServiceScopes.TOKENS_ADMIN));
        user = Requests.token(api.services, "user-1", List.of("files:read"));
    }

    @Test
    void createAnswers201RawTokenWithTheGrantableScopesAndOptionalOnesLeftOutQuietly() throws Exception {
        JsonNode raw = api.createOk(admin, request("u-123", "o-456", "urn:agilicus:users", "clients:admin?"));

        assertTrue(raw.path("token").isTextual());
        assertTrue(raw.path("session").isTextual());
        assertEquals(3600, raw.path("time_validity").path("duration").asInt());
        var claims = SignedJWT.parse(raw.path("token").asText()).getJWTClaimsSet();
        assertEquals("u-123", claims.getSubject());
        assertEquals("o-456", claims.getStringClaim("org"));
        assertEquals("urn:agilicus:users", claims.getStringClaim("scope"), "clients:admin? is not the caller's to give");
        assertEquals(List.of("https://api.example.com"), claims.getAudience());
    }

    @Test
    void createRefusesMissingFieldsNamingThemAndCallersWithoutTheAdminScope() {
        ObjectNode noAudiences = request("u-1", "o-1");
        noAudiences.remove("audiences");
        APIGatewayProxyResponseEvent missing = api.create(admin, noAudiences.toString());
        assertEquals(400, missing.getStatusCode());
        assertTrue(json(missing).path("error_message").asText().startsWith("audiences:"), missing.getBody());

        ObjectNode badDuration = request("u-1", "o-1");
        badDuration.putObject("time_validity").put("duration", "an hour");
        assertTrue(json(api.create(admin, badDuration.toString())).path("error_message").asText()
                .startsWith("time_validity.duration:"));

        ObjectNode badValidity = request("u-1", "o-1");
        badValidity.putObject("token_validity").put("start", "2020-07-29T12:00:00+00:00").put("end", "someday");
        APIGatewayProxyResponseEvent badEnd = api.create(admin, badValidity.toString());
        assertEquals(400, badEnd.getStatusCode(), "found by schemathesis: token_validity was kept unread");
        assertTrue(json(badEnd).path("error_message").asText().startsWith("token_validity.end:"), badEnd.getBody());
        badValidity.putObject("token_validity").put("duration", "long");
        assertTrue(json(api.validate(admin, badValidity.toString())).path("error_message").asText()
                .startsWith("token_validity.duration:"));

        ObjectNode nullRule = request("u-1", "o-1");
        nullRule.putArray("hosts").addObject().putArray("allowed_list").addNull();
        APIGatewayProxyResponseEvent badRule = api.create(admin, nullRule.toString());
        assertEquals(400, badRule.getStatusCode(), "found by schemathesis: a null rule was kept and echoed");
        assertTrue(json(badRule).path("error_message").asText().startsWith("hosts.allowed_list:"), badRule.getBody());

        assertEquals(403, api.create(user, request("u-1", "o-1").toString()).getStatusCode());
        assertEquals(401, api.create(null, request("u-1", "o-1").toString()).getStatusCode());
        assertEquals(403, api.create(admin, request("u-1", "o-1", "clients:admin").toString()).getStatusCode(),
                "a required scope the caller may not grant refuses the request");
    }

    @Test
    void subjectsWithControlOrBidiCharactersOrPastTheKeyLimitAre400NamingSub() {
        for (String sub : List.of("u\u0000-1", "u\u001b[2J", "u\u202Eevil", "\u00e9".repeat(600), "u".repeat(241),
                "\u00A0", " \u202F ")) {
            var refused = api.create(admin, request(sub, "o-1").toString());
            assertEquals(400, refused.getStatusCode(), refused.getBody());
            assertTrue(json(refused).path("error_message").asText().startsWith("sub:"), refused.getBody());
        }
    }

    @Test
    void aSubjectAndOrgAtTheKeyLimitInTheWidestEncodingAreIssuedListedAndIntrospected() throws Exception {
        // GIVEN the longest subject and org the key rule lets in, every character four bytes of UTF-8 (960 bytes):
        // the subject becomes the pair indexes' sort key with the client id appended, which DynamoDB refuses over
        // 1024 bytes, and both become index partitions with a shard appended
        String longest = "\uD83D\uDE00".repeat(dev.tokenservice.http.FieldRules.MAX_KEY_CHARACTERS);
        String widestOrg = "\uD83C\uDFE2".repeat(dev.tokenservice.http.FieldRules.MAX_KEY_CHARACTERS);
        // WHEN a token is created for them THEN it is issued and introspects to the same subject
        JsonNode created = ok(api.create(admin, request(longest, widestOrg).toString()), 201);
        JsonNode introspected = ok(api.introspect(created.path("token").asText()), 200);
        assertEquals(longest, introspected.path("sub").asText());
        // AND the list finds it by either
        String jti = SignedJWT.parse(created.path("token").asText()).getJWTClaimsSet().getJWTID();
        for (String filter : List.of("sub=" + longest, "org=" + widestOrg)) {
            JsonNode listed = ok(api.list(admin, "?" + filter), 200);
            assertEquals(jti, listed.path("tokens").path(0).path("jti").asText(), filter);
        }
    }

    @Test
    void anOrgPastTheKeyLimitOrWithControlCharactersIs400NamingOrgOnCreateAndList() {
        // GIVEN orgs the org index's partition key cannot hold or a page would show differently than stored
        for (String org : List.of("o".repeat(241), "\u00e9".repeat(1024), "o\u0000-1", "o\u202Eevil", "\u00A0")) {
            // WHEN a token is created for one THEN 400 naming org, and nothing is stored
            var refused = api.create(admin, request("u-org", org).toString());
            assertEquals(400, refused.getStatusCode(), refused.getBody());
            assertTrue(json(refused).path("error_message").asText().startsWith("org:"), refused.getBody());
        }
        assertEquals(0, ok(api.list(admin, "?sub=u-org"), 200).path("tokens").size(), "nothing half-written");
        // AND a list filtered by an org past the limit is 400 naming it, not a failed index query
        var listed = api.list(admin, "?org=" + "o".repeat(2100));
        assertEquals(400, listed.getStatusCode(), listed.getBody());
        assertTrue(json(listed).path("error_message").asText().startsWith("org:"), listed.getBody());
    }

    @Test
    void claimsPastTheirLimitAre400NamingTheLargestFieldAndStoreNothing() {
        // GIVEN requests whose roles or hosts would make a token (and its row) of over 32 KB of claims; with
        // thousands of them the row passed DynamoDB's 400 KB item limit, which was a 500
        ObjectNode manyRoles = request("u-big", "o-1");
        ObjectNode roles = manyRoles.putObject("roles");
        for (int i = 0; i < 5000; i++) {
            roles.put("app-" + i, "role-" + "r".repeat(100));
        }
        ObjectNode manyHosts = request("u-big", "o-1");
        var hosts = manyHosts.putArray("hosts");
        for (int i = 0; i < 3000; i++) {
            hosts.addObject().put("upstream_host", "h" + i + ".example.com").put("app_id", "a-" + "x".repeat(100));
        }
        for (var entry : Map.of("roles", manyRoles, "hosts", manyHosts).entrySet()) {
            // WHEN it is created or validated THEN 400 naming the largest field
            for (var response : List.of(api.create(admin, entry.getValue().toString()),
                    api.validate(admin, entry.getValue().toString()))) {
                assertEquals(400, response.getStatusCode(), entry.getKey());
                assertTrue(json(response).path("error_message").asText().startsWith(entry.getKey() + ":"),
                        response.getBody());
            }
        }
        // AND nothing was stored, while a request just within the limit is issued
        assertEquals(0, ok(api.list(admin, "?sub=u-big"), 200).path("tokens").size());
        ObjectNode within = request("u-big", "o-1");
        ObjectNode someRoles = within.putObject("roles");
        for (int i = 0; i < 200; i++) {
            someRoles.put("app-" + i, "role-" + "r".repeat(100));
        }
        ok(api.create(admin, within.toString()), 201);
    }

    @Test
    void aTokenMeantForAnotherAudienceIsRefusedByThisServicesOwnRoutes() {
        // GIVEN a token with tokens:admin whose audience is another service (RFC 9068 §4)
        ObjectNode forOther = request("u-aud", "o-1", "tokens:admin");
        forOther.putArray("audiences").add("https://other.example.com");
        String foreign = api.createOk(admin, forOther).path("token").asText();

        // WHEN it calls this service's protected routes THEN 401, on the Agilicus and the Knetik list alike
        assertEquals(401, api.list(foreign, "").getStatusCode());
        var knetik = new dev.tokenservice.functions.knetik.ListAuthTokensHandler(api.services).handleRequest(
                Requests.request("GET", "/auth/tokens", "/auth/tokens", foreign, null), null);
        assertEquals(401, knetik.getStatusCode(), knetik.getBody());
        // AND a token naming this service among its audiences is accepted
        ObjectNode forUs = request("u-aud", "o-1", "tokens:admin");
        forUs.putArray("audiences").add("https://other.example.com").add(TestServices.ISSUER);
        assertEquals(200, api.list(api.createOk(admin, forUs).path("token").asText(), "").getStatusCode());
        // AND the foreign token is still a token of this service to introspect (its resource server asks)
        assertEquals(200, api.introspect(foreign).getStatusCode());
    }

    @Test
    void aTokenWhoseValidityStartsLaterIsNotLiveBeforeItsTime() throws Exception {
        // GIVEN a token created with token_validity.start ten minutes from now
        ObjectNode later = request("u-nbf", "o-1", "tokens:admin");
        later.putArray("audiences").add(TestServices.ISSUER);
        later.putObject("token_validity").put("start", clock.instant().plus(Duration.ofMinutes(10)).toString());
        String token = api.createOk(admin, later).path("token").asText();
        assertEquals(clock.instant().plus(Duration.ofMinutes(10)).getEpochSecond(),
                SignedJWT.parse(token).getJWTClaimsSet().getNotBeforeTime().toInstant().getEpochSecond());

        // WHEN used at once THEN it is refused, on a protected route and by introspection
        assertEquals(401, api.list(token, "").getStatusCode());
        assertEquals(400, api.introspect(token).getStatusCode());
        // WHEN its time has come THEN it works
        clock.advance(Duration.ofMinutes(10));
        assertEquals(200, api.list(token, "").getStatusCode());
        assertEquals(200, api.introspect(token).getStatusCode());
        // AND a start past the expiry would make a token that is never live: 400 naming the field
        ObjectNode never = request("u-nbf", "o-1");
        never.putObject("token_validity").put("start", clock.instant().plus(Duration.ofDays(2)).toString());
        var refused = api.create(admin, never.toString());
        assertEquals(400, refused.getStatusCode());
        assertTrue(json(refused).path("error_message").asText().startsWith("token_validity.start"), refused.getBody());
    }

    @Test
    void introspectShowsTheTokenWithStringDatesAndRolesUnlessExcluded() {
        JsonNode raw = api.createOk(admin, request("u-123", "o-456", "urn:agilicus:users"));

        JsonNode token = ok(api.introspect(raw.path("token").asText()), 200);

        assertEquals("u-123", token.path("sub").asText());
        assertEquals("o-456", token.path("org").asText());
        assertEquals("o-456", token.path("root_org").asText());
        assertEquals("[\"owner\"]", token.path("roles").path("app-a").toString(),
                "Token.roles maps an application to a list of roles (agilicus 1.415 type-checks it)");
        assertEquals(raw.path("session").asText(), token.path("session").asText());
        assertEquals("[\"urn:agilicus:users\"]", token.path("scopes").toString());
        assertEquals("[\"https://api.example.com\"]", token.path("aud").toString());
        assertEquals("app-a.example.com", token.path("hosts").get(0).path("upstream_host").asText());
        assertTrue(token.path("iat").isTextual() && token.path("exp").isTextual());
        var iat = OffsetDateTime.parse(token.path("iat").asText());
        var exp = OffsetDateTime.parse(token.path("exp").asText());
        assertEquals(3600, Duration.between(iat, exp).toSeconds());

        String excluded = "{\"token\":\"" + raw.path("token").asText() + "\",\"introspect_options\":{\"exclude_roles\":true}}";
        assertFalse(ok(api.introspectBody(excluded), 200).has("roles"));
        // AND options that are not an object are 400 naming them (schemathesis seed 7: an array was read as none)
        for (String options : List.of("[]", "[{}]", "\"all\"", "true")) {
            var refused = api.introspectBody("{\"token\":\"" + raw.path("token").asText()
                    + "\",\"introspect_options\":" + options + "}");
            assertEquals(400, refused.getStatusCode(), options);
            assertTrue(json(refused).path("error_message").asText().startsWith("introspect_options:"), options);
        }
    }

    @Test
    void introspectAnswers4xxForForgedExpiredOrMissingTokens() {
        JsonNode raw = api.createOk(admin, request("u-1", "o-1"));
        String token = raw.path("token").asText();
        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

        assertEquals(400, api.introspect(forged).getStatusCode());
        assertEquals(400, api.introspect("not-a-jwt").getStatusCode());
        APIGatewayProxyResponseEvent missing = api.introspectBody("{}");
        assertEquals(400, missing.getStatusCode());
        assertEquals("token: is required", json(missing).path("error_message").asText());
        clock.advance(Duration.ofSeconds(3601));
        APIGatewayProxyResponseEvent expired = api.introspect(token);
        assertEquals(400, expired.getStatusCode());
        assertTrue(json(expired).path("error_message").asText().contains("expired"), expired.getBody());
    }

    @Test
    void revokeAnswers204ThenIntrospectIs410AndTheListShowsItRevoked() {
        JsonNode raw = api.createOk(admin, request("u-rev", "o-1"));
        String token = raw.path("token").asText();

        APIGatewayProxyResponseEvent revoked = api.revoke(token, false);

        assertEquals(204, revoked.getStatusCode());
        assertEquals("", revoked.getBody());
        assertEquals(410, api.introspect(token).getStatusCode());
        assertEquals(204, api.revoke(token, false).getStatusCode(), "revoking twice is no error");
        assertEquals(1, ok(api.list(admin, "?sub=u-rev&revoked=True"), 200).path("tokens").size());
        assertEquals(0, ok(api.list(admin, "?sub=u-rev&revoked=False"), 200).path("tokens").size());
        assertEquals(401, refusedStatus(token), "a revoked token authenticates nowhere");
    }

    @Test
    void revokeWithAForgedMalformedOrMissingTokenIs400NamingTokenAndRevokesNothing() {
        String token = api.createOk(admin, request("u-bad", "o-1")).path("token").asText();
        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

        for (String bad : List.of(forged, "not-a-jwt")) {
            APIGatewayProxyResponseEvent refused = api.revoke(bad, true);
            assertEquals(400, refused.getStatusCode(), refused.getBody());
            assertTrue(json(refused).path("error_message").asText().startsWith("token"), refused.getBody());
        }
        APIGatewayProxyResponseEvent missing = api.revokeBody("{\"all_sessions\": true}");
        assertEquals(400, missing.getStatusCode());
        assertEquals("token: is required", json(missing).path("error_message").asText());

        assertEquals(200, api.introspect(token).getStatusCode(), "the genuine token is untouched");
        assertEquals(0, ok(api.list(admin, "?sub=u-bad&revoked=true"), 200).path("tokens").size());
    }

    @Test
    void aTokensDurationIsFromOneSecondToTheLongestTokenLifetime() throws Exception {
        long longest = api.services.settings().longestTokenLifetime().toSeconds();
        ObjectNode atTheLimit = request("u-long", "o-1");
        atTheLimit.putObject("time_validity").put("duration", longest);

        JsonNode raw = api.createOk(admin, atTheLimit);

        var claims = SignedJWT.parse(raw.path("token").asText()).getJWTClaimsSet();
        assertEquals(longest, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
        for (long refused : new long[] {longest + 1, 0, -1, Long.MAX_VALUE}) {
            ObjectNode tooLong = request("u-long", "o-1");
            tooLong.putObject("time_validity").put("duration", refused);
            APIGatewayProxyResponseEvent response = api.create(admin, tooLong.toString());
            assertEquals(400, response.getStatusCode(), refused + " -> " + response.getBody());
            assertEquals("time_validity.duration: must be from 1 to " + longest + " seconds",
                    json(response).path("error_message").asText());
        }
        assertEquals(1, ok(api.list(admin, "?sub=u-long"), 200).path("tokens").size(), "only the valid one was made");
    }

    @Test
    void revokeWithAllSessionsStopsEveryTokenOfThatSession() {
        ObjectNode body = request("u-sess", "o-1");
        body.put("session", "s-shared");
        String first = api.createOk(admin, body).path("token").asText();
        String second = api.createOk(admin, body).path("token").asText();
        String otherSession = api.createOk(admin, request("u-sess", "o-1")).path("token").asText();

        assertEquals(204, api.revoke(first, true).getStatusCode());

        assertEquals(410, api.introspect(second).getStatusCode());
        assertEquals(200, api.introspect(otherSession).getStatusCode());
        assertEquals(2, ok(api.list(admin, "?sub=u-sess&revoked=true"), 200).path("tokens").size());
    }

    @Test
    void reissueGivesATokenForAPermittedOrgWithTheSameExpiryAndThePresentedOneStaysValid() throws Exception {
        JsonNode raw = api.createOk(admin, request("u-re", "o-home", "urn:agilicus:users"));
        String presented = raw.path("token").asText();
        clock.advance(Duration.ofMinutes(10));

        JsonNode reissued = ok(api.reissue(presented, "o-partner"), 200);

        String token = reissued.path("token").asText();
        assertNotEquals(presented, token);
        var original = SignedJWT.parse(presented).getJWTClaimsSet();
        var fresh = SignedJWT.parse(token).getJWTClaimsSet();
        assertEquals(original.getExpirationTime(), fresh.getExpirationTime());
        assertEquals("o-partner", fresh.getStringClaim("org"));
        assertEquals(original.getStringClaim("scope"), fresh.getStringClaim("scope"));
        assertEquals(3000, reissued.path("time_validity").path("duration").asInt());
        JsonNode introspected = ok(api.introspect(token), 200);
        assertEquals("o-partner", introspected.path("org").asText());
        assertEquals("o-home", introspected.path("root_org").asText());
        assertEquals(200, api.introspect(presented).getStatusCode(), "the presented token stays valid");

        assertEquals(403, api.reissue(presented, "o-stranger").getStatusCode());
        assertEquals(400, api.reissue("garbage", "o-partner").getStatusCode());
        api.revoke(presented, false);
        assertEquals(410, api.reissue(presented, "o-partner").getStatusCode());
    }

    @Test
    void validationsEchoAnAllowedRequestAndAnswer403Otherwise() {
        ObjectNode body = request("u-val", "o-1", "urn:agilicus:users", "tokens:admin?");

        JsonNode echoed = ok(api.validate(admin, body.toString()), 200);

        assertEquals("u-val", echoed.path("sub").asText());
        assertEquals(3600, echoed.path("time_validity").path("duration").asInt());
        assertEquals(body.path("scopes"), echoed.path("scopes"));
        assertEquals(403, api.validate(admin, request("u-val", "o-1", "clients:admin").toString()).getStatusCode());
        assertEquals(403, api.validate(user, request("u-val", "o-1", "tokens:admin").toString()).getStatusCode(),
                "an administrative scope only a caller holding it may hand on");
        assertEquals(0, ok(api.list(admin, "?sub=u-val"), 200).path("tokens").size(), "validation creates nothing");
    }

    @Test
    void validationsWithoutCredentialsAsTheSdkSendsThemAnswerOnly200Or403() {
        // GIVEN no caller: the SDK sends create_token_validation without credentials ("No authorization required")
        ObjectNode ordinary = request("u-anon", "o-1", "urn:agilicus:users", "tokens:admin?");

        // THEN a request for ordinary scopes is valid (the optional administrative one would be left out)
        JsonNode echoed = ok(api.validate(null, ordinary.toString()), 200);
        assertEquals("u-anon", echoed.path("sub").asText());
        // AND a required administrative scope, which nobody without it may hand on, is 403, never 401
        assertEquals(403, api.validate(null, request("u-anon", "o-1", "tokens:admin").toString()).getStatusCode());
        assertEquals(403, api.validate("not-a-token", request("u-anon", "o-1", "clients:admin").toString())
                .getStatusCode());
        assertEquals(200, api.validate("not-a-token", ordinary.toString()).getStatusCode());
        assertEquals(0, ok(api.list(admin, "?sub=u-val"), 200).path("tokens").size(), "validation creates nothing");
    }

    @Test
    void listEchoesLimitAndFiltersBySubJtiOrgAndIssueWindow() throws Exception {
        List<String> jtis = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String token = api.createOk(admin, request("u-list", i % 2 == 0 ? "o-even" : "o-odd")).path("token").asText();
            jtis.add(SignedJWT.parse(token).getJWTClaimsSet().getJWTID());
            clock.advance(Duration.ofMinutes(10));
        }

        JsonNode all = ok(api.list(admin, "?sub=u-list"), 200);
        assertEquals(100, all.path("limit").asInt(), "limit is always sent, its default too");
        assertEquals(5, all.path("tokens").size());
        assertEquals(jtis.get(4), all.path("tokens").get(0).path("jti").asText(), "newest first");
        assertEquals(2, ok(api.list(admin, "?limit=2&sub=u-list"), 200).path("tokens").size());
        assertEquals(2, ok(api.list(admin, "?limit=2&sub=u-list"), 200).path("limit").asInt());
        assertEquals(2, ok(api.list(admin, "?org=o-odd"), 200).path("tokens").size());
        JsonNode byJti = ok(api.list(admin, "?jti=" + jtis.get(1)), 200);
        assertEquals(1, byJti.path("tokens").size());
        assertEquals("o-odd", byJti.path("tokens").get(0).path("org").asText());
        JsonNode recent = ok(api.list(admin, "?sub=u-list&iat_from=25%20minutes%20ago"), 200);
        assertEquals(List.of(jtis.get(4), jtis.get(3)), jtisOf(recent));
        JsonNode old = ok(api.list(admin, "?sub=u-list&iat_to=35%20minutes%20ago"), 200);
        assertEquals(List.of(jtis.get(1), jtis.get(0)), jtisOf(old));
        assertEquals(5, ok(api.list(admin, "?sub=u-list&exp_from=now"), 200).path("tokens").size());
        assertEquals(5, ok(api.list(admin, "?sub=u-list&revoked=False"), 200).path("tokens").size());
        // AND with no filter at all (the listing index over every access token) the same five, newest first
        List<String> unfiltered = jtisOf(ok(api.list(admin, ""), 200)).stream().filter(jtis::contains).toList();
        assertEquals(List.of(jtis.get(4), jtis.get(3), jtis.get(2), jtis.get(1), jtis.get(0)), unfiltered);

        assertEquals(400, api.list(admin, "?limit=0").getStatusCode());
        assertEquals(400, api.list(admin, "?limit=101").getStatusCode());
        // revoked outside the document's enum, blank and padded too (schemathesis seed 6: `revoked=` was a 200)
        for (String revoked : List.of("yes", "", "%20True")) {
            APIGatewayProxyResponseEvent badRevoked = api.list(admin, "?revoked=" + revoked);
            assertEquals(400, badRevoked.getStatusCode(), revoked);
            assertTrue(json(badRevoked).path("error_message").asText().startsWith("revoked:"), revoked);
        }
        APIGatewayProxyResponseEvent badDate = api.list(admin, "?iat_from=someday");
        assertTrue(json(badDate).path("error_message").asText().startsWith("iat_from:"));
        APIGatewayProxyResponseEvent farOff = api.list(admin, "?iat_from=-99999999999999999999h");
        assertEquals(400, farOff.getStatusCode(), "found by schemathesis: was a 500");
        assertTrue(json(farOff).path("error_message").asText().startsWith("iat_from:"), farOff.getBody());
        assertEquals(403, api.list(user, "").getStatusCode());
    }

    private static List<String> jtisOf(JsonNode list) {
        List<String> jtis = new ArrayList<>();
        list.path("tokens").forEach(t -> jtis.add(t.path("jti").asText()));
        return jtis;
    }

    private int refusedStatus(String token) {
        try {
            api.services.callerAuthenticator().checkLocally(token, TestServices.ISSUER).liveCaller();
            return 200;
        } catch (dev.tokenservice.http.ApiError error) {
            return error.status();
        }
    }
}
