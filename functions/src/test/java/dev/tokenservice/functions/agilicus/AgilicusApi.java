package dev.tokenservice.functions.agilicus;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.wiring.Services;

/** The Agilicus TokensApi handlers behind one object, called as API Gateway would call them. */
final class AgilicusApi {

    final Services services;
    private final CreateTokenHandler create;
    private final IntrospectTokenHandler introspect;
    private final ReissueTokenHandler reissue;
    private final RevokeTokenHandler revoke;
    private final ValidateTokenRequestHandler validate;
    private final ListTokensHandler list;

    AgilicusApi(Services services) {
        this.services = services;
        this.create = new CreateTokenHandler(services);
        this.introspect = new IntrospectTokenHandler(services);
        this.reissue = new ReissueTokenHandler(services);
        this.revoke = new RevokeTokenHandler(services);
        this.validate = new ValidateTokenRequestHandler(services);
        this.list = new ListTokensHandler(services);
    }

    static ObjectNode request(String sub, String org, String... scopes) {
        ObjectNode body = Json.object().put("sub", sub).put("org", org);
        body.putArray("audiences").add("https://api.example.com");
        body.putObject("time_validity").put("duration", 3600);
        body.putObject("roles").put("app-a", "owner");
        ObjectNode host = body.putArray("hosts").addObject()
                .put("upstream_host", "app-a.example.com").put("app_id", "a-1").put("admin_org_id", "o-partner");
        host.putArray("allowed_list").addObject().putArray("methods").add("get");
        var scopeList = body.putArray("scopes");
        for (String scope : scopes) {
            scopeList.add(scope);
        }
        return body;
    }

    APIGatewayProxyResponseEvent create(String bearer, String body) {
        return create.handleRequest(Requests.request("POST", "/v1/tokens", "/v1/tokens", bearer, body), null);
    }

    /** Creates a token and returns the RawToken body; fails the test unless 201. */
    JsonNode createOk(String bearer, ObjectNode body) {
        return ok(create(bearer, body.toString()), 201);
    }

    APIGatewayProxyResponseEvent introspect(String token) {
        return introspectBody(Json.object().put("token", token).toString());
    }

    APIGatewayProxyResponseEvent introspectBody(String body) {
        return introspect.handleRequest(Requests.request("POST", "/v1/tokens/introspect", "/v1/tokens/introspect",
                null, body), null);
    }

    APIGatewayProxyResponseEvent reissue(String token, String orgId) {
        return reissue.handleRequest(Requests.request("POST", "/v1/tokens/reissue", "/v1/tokens/reissue", null,
                Json.object().put("token", token).put("org_id", orgId).toString()), null);
    }

    APIGatewayProxyResponseEvent revoke(String token, boolean allSessions) {
        return revokeBody(Json.object().put("token", token).put("all_sessions", allSessions).toString());
    }

    APIGatewayProxyResponseEvent revokeBody(String body) {
        return revoke.handleRequest(Requests.request("POST", "/v1/tokens/revoke", "/v1/tokens/revoke", null, body), null);
    }

    APIGatewayProxyResponseEvent validate(String bearer, String body) {
        return validate.handleRequest(Requests.request("POST", "/v1/tokens/validations", "/v1/tokens/validations",
                bearer, body), null);
    }

    APIGatewayProxyResponseEvent list(String bearer, String query) {
        return list.handleRequest(Requests.request("GET", "/v1/tokens", "/v1/tokens" + query, bearer, null), null);
    }

    static JsonNode json(APIGatewayProxyResponseEvent response) {
        try {
            return Json.MAPPER.readTree(response.getBody());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.getBody());
        }
    }

    static JsonNode ok(APIGatewayProxyResponseEvent response, int status) {
        if (response.getStatusCode() != status) {
            throw new AssertionError("expected " + status + ", got " + response.getStatusCode() + " " + response.getBody());
        }
        return json(response);
    }
}
