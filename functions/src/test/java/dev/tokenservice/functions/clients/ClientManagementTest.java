package dev.tokenservice.functions.clients;

import static dev.tokenservice.functions.clients.DocSpaceApi.json;
import static dev.tokenservice.functions.clients.DocSpaceApi.validClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.testing.MutableClock;
import dev.tokenservice.testing.TestServices;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The DocSpace client registry through its handlers, over DynamoDB Local: what a caller sees. */
class ClientManagementTest {

    private MutableClock clock;
    private DocSpaceApi api;
    private String admin;
    private String owner;
    private String otherUser;

    @BeforeEach
    void setUp() {
        clock = MutableClock.startingNow();
        // Always consistent (no client cache), so that each change shows at the token endpoint at once; the bounded
        // cache's own behaviour is ClientCacheTest's.
        api = new DocSpaceApi(TestServices.create(clock, Map.of("CLIENT_CACHE_SECONDS", "0")));
        admin = api.tokenFor("admin-1", List.of(ServiceScopes.CLIENTS_ADMIN, ServiceScopes.CLIENTS_WRITE));
        owner = api.tokenFor("user-1", List.of(ServiceScopes.CLIENTS_WRITE));
        otherUser = api.tokenFor("user-2", List.of(ServiceScopes.CLIENTS_WRITE));
    }

    @Test
    void createAnswers201WithTheSecretOnceAndStoresOnlyItsHash() {
        JsonNode created = api.createOk(owner, validClient("My App"));

        String clientId = created.path("client_id").asText();
        String secret = created.path("client_secret").asText();
        assertEquals(43, secret.length());
        assertEquals("My App", created.path("name").asText());
        assertEquals("[\"client_secret_post\",\"none\"]", created.path("authentication_methods").toString());
        assertEquals("[\"https://app.example.com/bye\"]", created.path("logout_redirect_uris").toString());
        assertEquals(1, created.path("tenant").asLong());
        assertTrue(created.path("is_public").asBoolean());
        assertTrue(created.path("enabled").asBoolean());
        assertEquals("user-1", created.path("created_by").asText());
        assertEquals(created.path("created_on"), created.path("modified_on"));

        ClientItem stored = api.services.clientRepository().find(clientId).orElseThrow();
        assertNotEquals(secret, stored.getSecretHash());
        assertTrue(api.services.secretHasher().matches(secret, stored.getSecretHash()));

        JsonNode read = json(api.get(owner, clientId));
        assertFalse(read.has("client_secret"), "the secret is shown by create and regenerate only");
        assertEquals(clientId, read.path("client_id").asText());
        assertTrue(read.has("description") && read.has("logo"));
    }

    @Test
    void regeneratingMakesTheOldSecretFailAtTheTokenEndpointAtOnce() {
        JsonNode created = api.createOk(owner, validClient("My App"));
        String clientId = created.path("client_id").asText();
        String oldSecret = created.path("client_secret").asText();
        assertEquals(200, api.clientCredentials(clientId, oldSecret).getStatusCode());

        APIGatewayProxyResponseEvent regenerated = api.regenerate(owner, clientId);

        assertEquals(200, regenerated.getStatusCode());
        String newSecret = json(regenerated).path("client_secret").asText();
        assertNotEquals(oldSecret, newSecret);
        assertEquals(401, api.clientCredentials(clientId, oldSecret).getStatusCode());
        assertEquals(200, api.clientCredentials(clientId, newSecret).getStatusCode());
    }

    @Test
    void deactivationRefusesNewTokensButIssuedTokensStillVerify() {
        JsonNode created = api.createOk(owner, validClient("My App"));
        String clientId = created.path("client_id").asText();
        String secret = created.path("client_secret").asText();
        String issued = json(api.clientCredentials(clientId, secret)).path("access_token").asText();

        APIGatewayProxyResponseEvent disabled = api.activation(owner, clientId, "{\"status\": false}");

        assertEquals(200, disabled.getStatusCode());
        assertEquals("", disabled.getBody());
        APIGatewayProxyResponseEvent refused = api.clientCredentials(clientId, secret);
        assertEquals(400, refused.getStatusCode());
        assertEquals("unauthorized_client", json(refused).path("error").asText());
        assertEquals(clientId, authenticate(issued).clientId());
        assertFalse(json(api.get(owner, clientId)).path("enabled").asBoolean());

        api.activation(owner, clientId, "{\"status\": true}");
        assertEquals(200, api.clientCredentials(clientId, secret).getStatusCode());
    }

    @Test
    void deleteStopsEveryTokenOfTheClientAtOnceAndASecondDeleteIs404() {
        JsonNode created = api.createOk(owner, validClient("My App"));
        String clientId = created.path("client_id").asText();
        String secret = created.path("client_secret").asText();
        String first = json(api.clientCredentials(clientId, secret)).path("access_token").asText();
        String second = json(api.clientCredentials(clientId, secret)).path("access_token").asText();
        insertConsent(clientId, "user-9");

        APIGatewayProxyResponseEvent deleted = api.delete(owner, clientId);

        assertEquals(200, deleted.getStatusCode());
        assertEquals("", deleted.getBody());
        assertRefused(() -> authenticate(first));
        assertRefused(() -> authenticate(second));
        assertEquals(401, api.clientCredentials(clientId, secret).getStatusCode());
        assertEquals(0, consentsOf(clientId));
        assertEquals(404, api.get(owner, clientId).getStatusCode());
        APIGatewayProxyResponseEvent again = api.delete(owner, clientId);
        assertEquals(404, again.getStatusCode());
        assertEquals("client not found", json(again).path("reason").asText());
    }

    @Test
    void ownersSeeTheirOwnClientsAdminsSeeAllOthersGet404() {
        String clientId = api.createOk(owner, validClient("Owned")).path("client_id").asText();
        String guest = api.tokenFor("guest-1", List.of("openid"));

        assertEquals(200, api.get(owner, clientId).getStatusCode());
        assertEquals(200, api.get(admin, clientId).getStatusCode());
        assertEquals(404, api.get(otherUser, clientId).getStatusCode());
        assertEquals(404, api.get(guest, clientId).getStatusCode());
        assertEquals(404, api.update(otherUser, clientId, validClient("Stolen").toString()).getStatusCode());
        assertEquals(404, api.regenerate(otherUser, clientId).getStatusCode());
        assertEquals(404, api.activation(otherUser, clientId, "{\"status\":false}").getStatusCode());
        assertEquals(404, api.delete(otherUser, clientId).getStatusCode());
        assertEquals(200, api.activation(admin, clientId, "{\"status\":false}").getStatusCode());

        assertEquals(0, json(api.list(otherUser, "?limit=10")).path("data").size());
        assertEquals(0, json(api.list(guest, "?limit=10")).path("data").size());
        assertEquals(1, json(api.list(owner, "?limit=10")).path("data").size());
        assertEquals(1, json(api.list(admin, "?limit=10")).path("data").size());
        assertEquals(403, api.create(guest, validClient("Guest App").toString()).getStatusCode());
    }

    @Test
    void updateReplacesNameDescriptionLogoAndOriginsButKeepsRedirectUris() {
        String clientId = api.createOk(owner, validClient("Before")).path("client_id").asText();
        var changes = validClient("After").put("description", "changed").put("allow_pkce", false);
        changes.putArray("allowed_origins").add("https://other.example.com");
        changes.putArray("redirect_uris").add("https://evil.example.com/cb");

        APIGatewayProxyResponseEvent updated = api.update(owner, clientId, changes.toString());

        assertEquals(200, updated.getStatusCode(), updated.getBody());
        assertEquals("", updated.getBody());
        JsonNode read = json(api.get(owner, clientId));
        assertEquals("After", read.path("name").asText());
        assertEquals("changed", read.path("description").asText());
        assertEquals("[\"https://other.example.com\"]", read.path("allowed_origins").toString());
        assertEquals("[\"https://app.example.com/cb\"]", read.path("redirect_uris").toString());
        assertEquals("[\"client_secret_post\"]", read.path("authentication_methods").toString());
        assertEquals("user-1", read.path("modified_by").asText());
    }

    @Test
    void theResourcesAndPushedRequestFieldsBeyondDocSpacesAreStoredShownAndChangedOnlyWhenGiven() {
        // GIVEN a DocSpace client created without the extra fields: its answer has neither
        String plain = api.createOk(owner, validClient("Plain")).path("client_id").asText();
        JsonNode plainRead = json(api.get(owner, plain));
        assertTrue(plainRead.path("resources").isMissingNode(), plainRead.toString());
        assertTrue(plainRead.path("require_pushed_authorization_requests").isMissingNode());

        assertTrue(plainRead.path("dpop_bound_access_tokens").isMissingNode());

        // WHEN a client is created with resources, the pushed-request requirement and DPoP-bound tokens
        var body = validClient("Extra").put("require_pushed_authorization_requests", true)
                .put("dpop_bound_access_tokens", true);
        body.putArray("resources").add("https://files.example.com/api").add("urn:example:mail");
        String clientId = api.createOk(owner, body).path("client_id").asText();

        // THEN both are stored and shown
        JsonNode read = json(api.get(owner, clientId));
        assertEquals("[\"https://files.example.com/api\",\"urn:example:mail\"]", read.path("resources").toString());
        assertTrue(read.path("require_pushed_authorization_requests").asBoolean());
        assertTrue(read.path("dpop_bound_access_tokens").asBoolean());
        // AND an update without them (as DocSpace's SDK sends it) keeps them
        assertEquals(200, api.update(owner, clientId, validClient("Renamed").toString()).getStatusCode());
        assertEquals(read.path("resources"), json(api.get(owner, clientId)).path("resources"));
        // AND an update with them changes them
        assertTrue(json(api.get(owner, clientId)).path("dpop_bound_access_tokens").asBoolean());
        var changes = validClient("Renamed").put("require_pushed_authorization_requests", false)
                .put("dpop_bound_access_tokens", false);
        changes.putArray("resources");
        assertEquals(200, api.update(owner, clientId, changes.toString()).getStatusCode());
        JsonNode changed = json(api.get(owner, clientId));
        assertTrue(changed.path("resources").isMissingNode(), changed.toString());
        assertTrue(changed.path("require_pushed_authorization_requests").isMissingNode());
        assertTrue(changed.path("dpop_bound_access_tokens").isMissingNode());

        // AND a resource that is no absolute URI, or has a fragment, is a 400 naming the field
        for (String bad : List.of("files", "https://files.example.com/#top")) {
            var refused = validClient("Bad");
            refused.putArray("resources").add(bad);
            var response = api.create(owner, refused.toString());
            assertEquals(400, response.getStatusCode(), bad);
            assertTrue(response.getBody().contains("resources"), response.getBody());
        }
    }

    @Test
    void unknownIdsAre404AndReadsOfMalformedIdsToo() {
        assertEquals(404, api.get(admin, "3f2b9c1e-0000-4000-8000-000000000000").getStatusCode());
        assertEquals(404, api.regenerate(admin, "3f2b9c1e-0000-4000-8000-000000000000").getStatusCode());
        assertEquals(404, api.get(admin, "not-a-uuid").getStatusCode());
        assertEquals(404, api.publicInfo("../../etc").getStatusCode());
    }

    @Test
    void changesToAMalformedIdAre400InvalidClientIdFormatAsTheSeedLists() {
        String clientId = "not-a-uuid";
        String update = validClient("Renamed").toString();

        for (var response : List.of(api.update(owner, clientId, update),
                api.activation(owner, clientId, "{\"status\": false}"), api.regenerate(owner, clientId),
                api.revoke(owner, clientId), api.delete(owner, clientId))) {
            assertEquals(400, response.getStatusCode(), response.getBody());
            assertTrue(json(response).path("reason").asText().contains("Invalid client ID format"), response.getBody());
        }
    }

    @Test
    void changesByACallerWithoutAClientScopeAre403InsufficientPermissions() {
        String clientId = api.createOk(owner, validClient("Guarded")).path("client_id").asText();
        String noScope = api.tokenFor("user-1", List.of("files:read"));

        for (var response : List.of(api.update(noScope, clientId, validClient("Renamed").toString()),
                api.activation(noScope, clientId, "{\"status\": false}"), api.regenerate(noScope, clientId),
                api.delete(noScope, clientId))) {
            assertEquals(403, response.getStatusCode(), response.getBody());
            assertTrue(json(response).path("reason").asText().startsWith("Insufficient permissions"), response.getBody());
        }
        assertEquals(404, api.regenerate(otherUser, clientId).getStatusCode(), "another owner's client stays hidden");
        assertEquals(200, api.get(owner, clientId).getStatusCode(), "nothing was changed");
        assertEquals("Guarded", json(api.get(owner, clientId)).path("name").asText());
    }

    @Test
    void namesWithControlOrBidiCharactersAre400NamingTheField() {
        for (String name : List.of("Evil\u0000App", "Esc\u001b[31mApp", "Pay\u202Eppa.exe")) {
            var response = api.create(owner, validClient(name).toString());
            assertEquals(400, response.getStatusCode(), name);
            assertTrue(json(response).path("reason").asText().startsWith("name:"), response.getBody());
        }
    }

    @Test
    void nameLengthsCountCharactersAsOpenApiDoesAndNoBreakSpacesAreBlank() {
        // GIVEN names measured as openapi.yaml's minLength/maxLength measure them (code points, not UTF-16 units)
        String emoji = "\uD83D\uDE00";
        // WHEN a name of 256 emoji (512 UTF-16 units) is created THEN it is stored whole, as the document allows
        JsonNode longest = api.createOk(owner, validClient(emoji.repeat(256)));
        assertEquals(emoji.repeat(256), json(api.get(owner, longest.path("client_id").asText())).path("name").asText());
        // AND 257 emoji, or two emoji (four UTF-16 units but two characters), are 400 naming the field
        // AND so is a name of no-break spaces, which the document's \S pattern reads as blank
        for (String name : List.of(emoji.repeat(257), emoji.repeat(2), "\u00A0\u00A0\u00A0", "\u2007\u202F\uFEFF")) {
            var response = api.create(owner, validClient(name).toString());
            assertEquals(400, response.getStatusCode(), name);
            assertTrue(json(response).path("reason").asText().startsWith("name:"), response.getBody());
        }
    }

    @Test
    void aClientWithEveryFieldAtItsLimitIsStoredAndOneUrlPastItIs400() {
        // GIVEN a client with every field at its limit: 2048-character URLs everywhere (12 redirect URIs, 12
        // origins), the largest logo (256,000 bytes), a name and description of four-byte characters
        String longPath = "/" + "p".repeat(2048 - "https://app.example.com/00".length() - 1);
        var largest = validClient("\uD83D\uDE00".repeat(256));
        largest.put("description", "\uD83D\uDE00".repeat(255));
        largest.put("logo", "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(new byte[256_000]));
        for (String field : List.of("website_url", "terms_url", "policy_url", "logout_redirect_uri")) {
            largest.put(field, urlOfLength(2048));
        }
        var redirects = largest.putArray("redirect_uris");
        var origins = largest.putArray("allowed_origins");
        for (int i = 10; i < 22; i++) {
            redirects.add("https://app.example.com/" + i + longPath);
            origins.add("https://app" + i + ".example.com" + longPath.substring(3));
        }
        // WHEN it is created THEN it fits one DynamoDB item (400 KB): stored and read back whole
        // (without a URL limit, 12 redirect URIs of 40,000 characters were a 500 from that limit)
        JsonNode created = api.createOk(owner, largest);
        JsonNode read = json(api.get(owner, created.path("client_id").asText()));
        assertEquals(12, read.path("redirect_uris").size());
        assertEquals(largest.path("logo").asText(), read.path("logo").asText());
        // AND a URL one character longer, in a list or alone, is 400 naming its field
        var tooLong = validClient("Too long");
        tooLong.putArray("redirect_uris").add("https://app.example.com/10" + longPath + "p");
        assertBadRequestNaming(api.create(owner, tooLong.toString()), "redirect_uris", "2049-character redirect URI");
        var tooLongSite = validClient("Too long");
        tooLongSite.put("website_url", urlOfLength(2049));
        assertBadRequestNaming(api.create(owner, tooLongSite.toString()), "website_url", "2049-character website_url");
    }

    @Test
    void badJsonAndWrongTypesAre400NamingTheField() {
        Map<String, String> cases = Map.of(
                "{\"name\": ", "not valid JSON",
                "[]", "JSON object",
                validClient("Typed").put("allow_pkce", "yes").toString(), "allow_pkce",
                validClient("Typed").put("redirect_uris", "https://app.example.com/cb").toString(), "redirect_uris",
                validClient("x").toString(), "name",
                validClient("No logo").put("logo", "https://example.com/logo.png").toString(), "logo",
                // Found by schemathesis: characters outside base64 were skipped, not refused.
                validClient("Bad logo").put("logo", "data:image/jpg;base64,p9Rx*").toString(), "logo",
                validClient("Public").put("is_public", "yes").toString(), "is_public",
                validClient("Bad url").put("website_url", "javascript:alert(1)").toString(), "website_url");
        cases.forEach((body, field) -> {
            APIGatewayProxyResponseEvent response = api.create(owner, body);
            assertEquals(400, response.getStatusCode(), body);
            assertTrue(json(response).path("reason").asText().contains(field), response.getBody());
            assertEquals(400, json(response).path("status").asInt());
        });
        assertEquals(0, json(api.list(owner, "?limit=10")).path("data").size(), "nothing half-written");
    }

    @Test
    void badUpdateAndActivationBodiesAre400NamingTheFieldAndChangeNothing() {
        JsonNode created = api.createOk(owner, validClient("Unchanged"));
        String clientId = created.path("client_id").asText();
        var badOrigins = validClient("Renamed");
        badOrigins.putArray("allowed_origins").add("https://app.example.com/#frag");
        Map<String, String> updates = Map.of(
                "{\"name\": ", "not valid JSON",
                "[]", "JSON object",
                validClient("x").toString(), "name",
                validClient("Renamed").put("logo", "https://example.com/logo.png").toString(), "logo",
                validClient("Renamed").put("allow_pkce", "no").toString(), "allow_pkce",
                validClient("Renamed").put("allowed_origins", "https://app.example.com").toString(), "allowed_origins",
                badOrigins.toString(), "allowed_origins");
        Map<String, String> activations = Map.of(
                "{}", "status",
                "{\"status\": \"false\"}", "status",
                "{\"status\": 0}", "status",
                "{\"status\": ", "not valid JSON");

        updates.forEach((body, field) -> assertBadRequestNaming(api.update(owner, clientId, body), field, body));
        activations.forEach((body, field) -> assertBadRequestNaming(api.activation(owner, clientId, body), field, body));

        JsonNode read = json(api.get(owner, clientId));
        assertEquals("Unchanged", read.path("name").asText());
        assertEquals("[\"client_secret_post\",\"none\"]", read.path("authentication_methods").toString());
        assertEquals("[\"https://app.example.com\"]", read.path("allowed_origins").toString());
        assertTrue(read.path("enabled").asBoolean());
        assertEquals(200, api.clientCredentials(clientId, created.path("client_secret").asText()).getStatusCode());
    }

    private static String urlOfLength(int length) {
        return "https://app.example.com/" + "u".repeat(length - "https://app.example.com/".length());
    }

    private static void assertBadRequestNaming(APIGatewayProxyResponseEvent response, String field, String body) {
        assertEquals(400, response.getStatusCode(), body + " -> " + response.getBody());
        assertTrue(json(response).path("reason").asText().contains(field), body + " -> " + response.getBody());
        assertEquals(400, json(response).path("status").asInt(), response.getBody());
    }

    @Test
    void redirectUrisMustBeAbsoluteHttpUrlsWithoutFragmentAndScopesMustBeKnown() {
        var fragment = validClient("Frag");
        fragment.putArray("redirect_uris").add("https://app.example.com/cb#x");
        var relative = validClient("Rel");
        relative.putArray("redirect_uris").add("/cb");
        var unknownScope = validClient("Scope");
        unknownScope.putArray("scopes").add("files:delete");
        var adminScope = validClient("Escalate");
        adminScope.putArray("scopes").add(ServiceScopes.CLIENTS_ADMIN);

        assertTrue(json(api.create(owner, fragment.toString())).path("reason").asText().contains("fragment"));
        assertTrue(json(api.create(owner, relative.toString())).path("reason").asText().contains("redirect_uris"));
        assertTrue(json(api.create(owner, unknownScope.toString())).path("reason").asText().contains("files:delete"));
        APIGatewayProxyResponseEvent escalation = api.create(owner, adminScope.toString());
        assertEquals(400, escalation.getStatusCode());
        assertTrue(json(escalation).path("reason").asText().contains(ServiceScopes.CLIENTS_ADMIN));
        assertEquals(201, api.create(admin, adminScope.toString()).getStatusCode(), "an admin may hand on its scope");
    }

    @Test
    void aLogoOverTheSizeLimitIsRefused() {
        String big = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(new byte[256_001]);

        APIGatewayProxyResponseEvent response = api.create(owner, validClient("Big").put("logo", big).toString());

        assertEquals(400, response.getStatusCode());
        assertTrue(json(response).path("reason").asText().startsWith("logo:"));
    }

    @Test
    void thePerOwnerQuotaIsAClear400AndDeletingFreesAPlace() {
        String last = null;
        for (int i = 0; i < 10; i++) {
            last = api.createOk(owner, validClient("App " + i)).path("client_id").asText();
        }

        APIGatewayProxyResponseEvent refused = api.create(owner, validClient("One too many").toString());

        assertEquals(400, refused.getStatusCode());
        assertEquals("User has reached the maximum allowed number of clients (10)", json(refused).path("reason").asText());
        assertEquals(201, api.create(otherUser, validClient("Someone else").toString()).getStatusCode());
        api.delete(owner, last);
        assertEquals(201, api.create(owner, validClient("Fits again").toString()).getStatusCode());
    }

    @Test
    void listingPagesNewestFirstWithCursorsInEitherOffsetForm() {
        for (int i = 0; i < 5; i++) {
            clock.advance(java.time.Duration.ofMillis(3));
            api.createOk(owner, validClient("Paged " + i));
        }

        JsonNode first = json(api.list(owner, "?limit=2"));
        assertEquals(2, first.path("data").size());
        assertEquals(2, first.path("limit").asInt());
        assertEquals("Paged 4", first.path("data").get(0).path("name").asText());
        String cursor = first.path("last_created_on").asText();
        String sdkStyle = cursor.replace("Z", "000+0000");
        JsonNode second = json(api.list(owner, "?limit=2&last_client_id=" + first.path("last_client_id").asText()
                + "&last_created_on=" + java.net.URLEncoder.encode(sdkStyle, java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("Paged 2", second.path("data").get(0).path("name").asText());
        String isoStyle = second.path("last_created_on").asText().replace("Z", "+00:00");
        JsonNode third = json(api.list(owner, "?limit=2&last_client_id=" + second.path("last_client_id").asText()
                + "&last_created_on=" + java.net.URLEncoder.encode(isoStyle, java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(1, third.path("data").size());
        assertEquals("Paged 0", third.path("data").get(0).path("name").asText());
        assertTrue(third.path("last_client_id").isNull());
        assertTrue(third.path("last_created_on").isNull());
        assertFalse(third.path("data").get(0).has("client_secret"));
    }

    @Test
    void listingLimitsAndCursorsAreValidated() {
        assertEquals(400, api.list(owner, "?limit=0").getStatusCode());
        assertEquals(400, api.list(owner, "?limit=51").getStatusCode());
        assertTrue(json(api.list(owner, "?limit=x")).path("reason").asText().startsWith("limit"));
        assertTrue(json(api.list(owner, "?limit=5&last_created_on=yesterday")).path("reason").asText()
                .startsWith("last_created_on"));
        assertEquals(30, json(api.list(owner, "")).path("limit").asInt());
        assertEquals(400, api.listInfo(owner, "").getStatusCode(), "limit is required on the info listing");
    }

    @Test
    void infoIsForAnySignedInCallerAndPublicInfoForAnyone() {
        String clientId = api.createOk(owner, validClient("Shown")).path("client_id").asText();

        JsonNode info = json(api.info(otherUser, clientId));
        JsonNode publicInfo = json(api.publicInfo(clientId));
        JsonNode listed = json(api.listInfo(otherUser, "?limit=5"));

        assertEquals("Shown", info.path("name").asText());
        assertFalse(info.has("redirect_uris") || info.has("client_secret") || info.has("enabled"));
        assertEquals(info, publicInfo);
        assertEquals(clientId, listed.path("data").get(0).path("client_id").asText());
        assertEquals(401, api.info(null, clientId).getStatusCode());
    }

    @Test
    void scopesAreAnArraySortedWithOpenidLast() {
        JsonNode scopes = json(api.scopes(owner));

        assertTrue(scopes.isArray());
        assertEquals("accounts:read", scopes.get(0).path("name").asText());
        assertEquals("openid", scopes.get(scopes.size() - 1).path("name").asText());
        assertEquals("files", scopes.findValues("group").stream().map(JsonNode::asText)
                .filter("files"::equals).findFirst().orElseThrow());
    }

    @Test
    void theDocSpaceCookieAuthenticatesAndAMissingTokenIs401InDocSpaceFormat() {
        APIGatewayProxyRequestEvent withCookie = dev.tokenservice.functions.testing.Requests.request(
                "GET", "/api/2.0/scopes", "/api/2.0/scopes", null, null);
        var headers = new java.util.HashMap<>(withCookie.getHeaders());
        headers.put("Cookie", "asc_auth_key=" + owner);
        withCookie.setHeaders(headers);

        assertEquals(200, new dev.tokenservice.functions.scopes.ListScopesHandler(api.services)
                .handleRequest(withCookie, null).getStatusCode());
        APIGatewayProxyResponseEvent anonymous = api.scopes(null);
        assertEquals(401, anonymous.getStatusCode());
        assertFalse(json(anonymous).path("reason").asText().isEmpty());
    }

    private dev.tokenservice.auth.Caller authenticate(String token) {
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent()
                .withHttpMethod("GET").withHeaders(Map.of("Authorization", "Bearer " + token));
        return api.services.callerAuthenticator().authenticate(new ApiRequest(event), DocSpaceApi.issuer());
    }

    private static void assertRefused(Executable call) {
        ApiError error = org.junit.jupiter.api.Assertions.assertThrows(ApiError.class, call);
        assertEquals(401, error.status());
    }

    private void insertConsent(String clientId, String principal) {
        api.services.tables().dynamoDb().putItem(r -> r.tableName(api.services.tables().consentsTableName()).item(Map.of(
                "client_id", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(clientId),
                "principal", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(principal),
                "modified_at", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("2026-01-01T00:00:00.000Z"))));
    }

    private int consentsOf(String clientId) {
        return api.services.tables().dynamoDb().query(r -> r.tableName(api.services.tables().consentsTableName())
                .keyConditionExpression("client_id = :c").consistentRead(true)
                .expressionAttributeValues(Map.of(":c",
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(clientId)))).count();
    }

}
