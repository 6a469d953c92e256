package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenservice.functions.oauth.IssueTokenHandler;
import dev.tokenservice.functions.scopes.ListScopesHandler;
import dev.tokenservice.functions.testing.Requests;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;

/** Every DocSpace client-management handler behind one object, called as API Gateway would call them. */
final class DocSpaceApi {

    static final String CLIENTS = "/api/2.0/clients";

    final Services services;
    private final CreateClientHandler create;
    private final GetClientHandler get;
    private final UpdateClientHandler update;
    private final DeleteClientHandler delete;
    private final ChangeClientActivationHandler activation;
    private final RegenerateClientSecretHandler regenerate;
    private final GetClientInfoHandler info;
    private final GetPublicClientInfoHandler publicInfo;
    private final ListClientsHandler list;
    private final ListClientsInfoHandler listInfo;
    private final ListScopesHandler scopes;
    private final RevokeClientConsentHandler revoke;
    private final ListConsentsHandler consents;
    private final IssueTokenHandler token;

    DocSpaceApi(Services services) {
        this.services = services;
        this.create = new CreateClientHandler(services);
        this.get = new GetClientHandler(services);
        this.update = new UpdateClientHandler(services);
        this.delete = new DeleteClientHandler(services);
        this.activation = new ChangeClientActivationHandler(services);
        this.regenerate = new RegenerateClientSecretHandler(services);
        this.info = new GetClientInfoHandler(services);
        this.publicInfo = new GetPublicClientInfoHandler(services);
        this.list = new ListClientsHandler(services);
        this.listInfo = new ListClientsInfoHandler(services);
        this.scopes = new ListScopesHandler(services);
        this.revoke = new RevokeClientConsentHandler(services);
        this.consents = new ListConsentsHandler(services);
        this.token = new IssueTokenHandler(services);
    }

    static ObjectNode validClient(String name) {
        ObjectNode body = Json.object()
                .put("name", name)
                .put("description", "demo")
                .put("logo", "data:image/png;base64,iVBORw0KGgo=")
                .put("website_url", "https://app.example.com")
                .put("terms_url", "https://app.example.com/terms")
                .put("policy_url", "https://app.example.com/privacy")
                .put("logout_redirect_uri", "https://app.example.com/bye")
                .put("allow_pkce", true);
        body.putArray("redirect_uris").add("https://app.example.com/cb");
        body.putArray("allowed_origins").add("https://app.example.com");
        body.putArray("scopes").add("openid").add("files:read");
        return body;
    }

    APIGatewayProxyResponseEvent create(String token, String body) {
        return create.handleRequest(Requests.request("POST", CLIENTS, CLIENTS, token, body), null);
    }

    JsonNode createOk(String token, ObjectNode body) {
        APIGatewayProxyResponseEvent response = create(token, body.toString());
        if (response.getStatusCode() != 201) {
            throw new AssertionError("create failed: " + response.getStatusCode() + " " + response.getBody());
        }
        return json(response);
    }

    APIGatewayProxyResponseEvent get(String token, String clientId) {
        return get.handleRequest(Requests.request("GET", CLIENTS + "/{clientId}", CLIENTS + "/" + clientId, token, null), null);
    }

    APIGatewayProxyResponseEvent update(String token, String clientId, String body) {
        return update.handleRequest(Requests.request("PUT", CLIENTS + "/{clientId}", CLIENTS + "/" + clientId, token, body), null);
    }

    APIGatewayProxyResponseEvent delete(String token, String clientId) {
        return delete.handleRequest(Requests.request("DELETE", CLIENTS + "/{clientId}", CLIENTS + "/" + clientId, token, null), null);
    }

    APIGatewayProxyResponseEvent activation(String token, String clientId, String body) {
        return activation.handleRequest(Requests.request("PATCH", CLIENTS + "/{clientId}/activation",
                CLIENTS + "/" + clientId + "/activation", token, body), null);
    }

    APIGatewayProxyResponseEvent regenerate(String token, String clientId) {
        return regenerate.handleRequest(Requests.request("PATCH", CLIENTS + "/{clientId}/regenerate",
                CLIENTS + "/" + clientId + "/regenerate", token, null), null);
    }

    APIGatewayProxyResponseEvent info(String token, String clientId) {
        return info.handleRequest(Requests.request("GET", CLIENTS + "/{clientId}/info",
                CLIENTS + "/" + clientId + "/info", token, null), null);
    }

    APIGatewayProxyResponseEvent publicInfo(String clientId) {
        return publicInfo.handleRequest(Requests.request("GET", CLIENTS + "/{clientId}/public/info",
                CLIENTS + "/" + clientId + "/public/info", null, null), null);
    }

    APIGatewayProxyResponseEvent list(String token, String query) {
        return list.handleRequest(Requests.request("GET", CLIENTS, CLIENTS + query, token, null), null);
    }

    APIGatewayProxyResponseEvent listInfo(String token, String query) {
        return listInfo.handleRequest(Requests.request("GET", CLIENTS + "/info", CLIENTS + "/info" + query, token, null), null);
    }

    APIGatewayProxyResponseEvent revoke(String token, String clientId) {
        return revoke.handleRequest(Requests.request("DELETE", CLIENTS + "/{clientId}/revoke",
                CLIENTS + "/" + clientId + "/revoke", token, null), null);
    }

    APIGatewayProxyResponseEvent consents(String token, String query) {
        return consents.handleRequest(Requests.request("GET", CLIENTS + "/consents", CLIENTS + "/consents" + query,
                token, null), null);
    }

    APIGatewayProxyResponseEvent scopes(String token) {
        return scopes.handleRequest(Requests.request("GET", "/api/2.0/scopes", "/api/2.0/scopes", token, null), null);
    }

    /** POST /oauth2/token with client_credentials and HTTP Basic. */
    APIGatewayProxyResponseEvent clientCredentials(String clientId, String secret) {
        APIGatewayProxyRequestEvent request = Requests.request("POST", "/oauth2/token", "/oauth2/token", null, null);
        var headers = new HashMap<>(request.getHeaders());
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        request.setHeaders(headers);
        request.setBody("grant_type=client_credentials");
        return token.handleRequest(request, null);
    }

    String tokenFor(String subject, List<String> scopes) {
        return Requests.token(services, subject, scopes);
    }

    static JsonNode json(APIGatewayProxyResponseEvent response) {
        try {
            return Json.MAPPER.readTree(response.getBody());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.getBody(), e);
        }
    }

    static String issuer() {
        return TestServices.ISSUER;
    }
}
