package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.http.Json;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.wiring.Services;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The four OAuth handlers of the user flows, called with events as API Gateway builds them. */
final class OAuthEndpoints {

    private static final Pattern TICKET = Pattern.compile("name=\"ticket\" value=\"([^\"]+)\"");

    private final AuthorizeHandler authorize;
    private final DecideConsentHandler decide;
    private final IssueTokenHandler token;
    private final IntrospectTokenHandler introspect;
    private final RevokeTokenHandler revoke;
    private final GetUserInfoHandler userInfo;
    private final PostUserInfoHandler userInfoByPost;
    private final EndSessionHandler endSession;
    private final PostEndSessionHandler endSessionByPost;

    OAuthEndpoints(Services services) {
        this.authorize = new AuthorizeHandler(services);
        this.decide = new DecideConsentHandler(services);
        this.token = new IssueTokenHandler(services);
        this.introspect = new IntrospectTokenHandler(services);
        this.revoke = new RevokeTokenHandler(services);
        this.userInfo = new GetUserInfoHandler(services);
        this.userInfoByPost = new PostUserInfoHandler(services);
        this.endSession = new EndSessionHandler(services);
        this.endSessionByPost = new PostEndSessionHandler(services);
    }

    /** GET /oauth2/userinfo with the access token as Bearer (none when null). */
    APIGatewayProxyResponseEvent userInfo(String accessToken) {
        Map<String, String> headers = browserHeaders(null);
        if (accessToken != null) {
            headers.put("Authorization", "Bearer " + accessToken);
        }
        return userInfo.handleRequest(event("GET", "/oauth2/userinfo", headers, null), null);
    }

    /** POST /oauth2/userinfo with the token both in the form and the Authorization header (RFC 6750 §2 forbids). */
    APIGatewayProxyResponseEvent userInfoByFormAndHeader(String accessToken) {
        APIGatewayProxyRequestEvent request = formPost("/oauth2/userinfo", Map.of("access_token", accessToken));
        request.getHeaders().put("Authorization", "Bearer " + accessToken);
        return userInfoByPost.handleRequest(request, null);
    }

    /** POST /oauth2/userinfo with the access token in the form body (RFC 6750 §2.2). */
    APIGatewayProxyResponseEvent userInfoByForm(String accessToken) {
        return userInfoByPost.handleRequest(formPost("/oauth2/userinfo", Map.of("access_token", accessToken)), null);
    }

    /** GET /oauth2/logout as the relying party sends the browser there, the user's cookie along (if any). */
    APIGatewayProxyResponseEvent logout(String userToken, Map<String, String> query) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        query.forEach((name, value) -> multi.put(name, List.of(value)));
        return endSession.handleRequest(event("GET", "/oauth2/logout", browserHeaders(userToken), null)
                .withQueryStringParameters(query)
                .withMultiValueQueryStringParameters(multi), null);
    }

    /** POST /oauth2/logout: the confirmation page's form (ticket, decision), or a relying party's form. */
    APIGatewayProxyResponseEvent logoutForm(String userToken, Map<String, String> form) {
        return logoutForm(userToken, form(form));
    }

    /** POST /oauth2/logout with a form body as written (a field repeated, a value empty). */
    APIGatewayProxyResponseEvent logoutForm(String userToken, String formBody) {
        Map<String, String> headers = browserHeaders(userToken);
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        return endSessionByPost.handleRequest(event("POST", "/oauth2/logout", headers, formBody), null);
    }

    /** GET /oauth2/authorize as a browser sends it, the user's token in the DocSpace cookie (if any). */
    APIGatewayProxyResponseEvent authorize(String userToken, Map<String, String> query) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        query.forEach((name, value) -> multi.put(name, List.of(value)));
        return authorize.handleRequest(event("GET", "/oauth2/authorize", browserHeaders(userToken), null)
                .withQueryStringParameters(query)
                .withMultiValueQueryStringParameters(multi), null);
    }

    /** GET /oauth2/authorize with one parameter given twice (its value repeated). */
    /**
     * The browser's part of the code flow: opens the request with the user's cookie, approves the consent page when
     * there is one, and returns the code the redirect carries.
     */
    String approvedCode(String userToken, Map<String, String> query) {
        APIGatewayProxyResponseEvent response = authorize(userToken, query);
        if (response.getStatusCode() == 200) {
            response = decide(userToken, ticketOf(response), "approve");
        }
        return redirectParameters(response).get("code");
    }

    /** A code-flow authorization request as a relying party sends it: PKCE S256 over the verifier, state xyz-state. */
    static Map<String, String> codeRequest(String clientId, String redirectUri, String scopes, String verifier) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", redirectUri);
        query.put("scope", scopes);
        query.put("state", "xyz-state");
        query.put("code_challenge", pkceChallenge(verifier));
        query.put("code_challenge_method", "S256");
        return query;
    }

    /** A public client's code exchange: client_id and the PKCE verifier, no secret. */
    static Map<String, String> publicExchange(String clientId, String code, String redirectUri, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("client_id", clientId);
        form.put("code_verifier", verifier);
        return form;
    }

    /** A form authenticating the client by client_secret_post, with the given name/value pairs after it. */
    static Map<String, String> withClientSecret(String clientId, String secret, String... pairs) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        for (int i = 0; i < pairs.length; i += 2) {
            form.put(pairs[i], pairs[i + 1]);
        }
        return form;
    }

    /** GET /oauth2/authorize with a token in the Authorization header (not a browser's way to sign in). */
    APIGatewayProxyResponseEvent authorizeWithBearer(String token, Map<String, String> query) {
        Map<String, String> headers = browserHeaders(null);
        headers.put("Authorization", "Bearer " + token);
        return authorize.handleRequest(event("GET", "/oauth2/authorize", headers, null)
                .withQueryStringParameters(query), null);
    }

    /** POST /oauth2/authorize carrying an authorization request as a form (OpenID Connect Core §3.1.2.1). */
    APIGatewayProxyResponseEvent authorizeByForm(String userToken, Map<String, String> parameters) {
        Map<String, String> headers = browserHeaders(userToken);
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        return decide.handleRequest(event("POST", "/oauth2/authorize", headers, form(parameters)), null);
    }

    /** GET of a link of this service's authorization endpoint (e.g. the sign-in hand-off's return_to). */
    APIGatewayProxyResponseEvent follow(String userToken, String link) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : URI.create(link).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return authorize(userToken, query);
    }

    APIGatewayProxyResponseEvent authorizeRepeating(String userToken, Map<String, String> query, String repeated) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        query.forEach((name, value) -> multi.put(name, name.equals(repeated) ? List.of(value, value) : List.of(value)));
        return authorize.handleRequest(event("GET", "/oauth2/authorize", browserHeaders(userToken), null)
                .withQueryStringParameters(query)
                .withMultiValueQueryStringParameters(multi), null);
    }

    APIGatewayProxyResponseEvent decide(String userToken, String ticket, String decision) {
        Map<String, String> headers = browserHeaders(userToken);
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        return decide.handleRequest(event("POST", "/oauth2/authorize", headers,
                form(Map.of("ticket", ticket, "decision", decision))), null);
    }

    APIGatewayProxyResponseEvent token(Map<String, String> parameters) {
        return token.handleRequest(formPost("/oauth2/token", parameters), null);
    }

    /** POST /oauth2/token with the form body as written (a parameter repeated, as resource may be). */
    APIGatewayProxyResponseEvent token(String formBody) {
        APIGatewayProxyRequestEvent request = formPost("/oauth2/token", Map.of());
        request.setBody(formBody);
        return token.handleRequest(request, null);
    }

    /** GET /oauth2/authorize with these parameters, each with every value given (resource may repeat). */
    APIGatewayProxyResponseEvent authorizeMulti(String userToken, Map<String, List<String>> query) {
        Map<String, String> single = new LinkedHashMap<>();
        query.forEach((name, values) -> single.put(name, values.get(values.size() - 1)));
        return authorize.handleRequest(event("GET", "/oauth2/authorize", browserHeaders(userToken), null)
                .withQueryStringParameters(single)
                .withMultiValueQueryStringParameters(query), null);
    }

    /** POST /oauth2/token with this Authorization header (e.g. client_secret_basic) beside the parameters. */
    APIGatewayProxyResponseEvent token(Map<String, String> parameters, String authorization) {
        APIGatewayProxyRequestEvent request = formPost("/oauth2/token", parameters);
        request.getHeaders().put("Authorization", authorization);
        return token.handleRequest(request, null);
    }

    /** POST /oauth2/token with a DPoP header (none when null) and client authentication (none when null). */
    APIGatewayProxyResponseEvent tokenWithProof(Map<String, String> parameters, String authorization, String proof) {
        APIGatewayProxyRequestEvent request = formPost("/oauth2/token", parameters);
        if (authorization != null) {
            request.getHeaders().put("Authorization", authorization);
        }
        if (proof != null) {
            request.getHeaders().put("DPoP", proof);
        }
        return token.handleRequest(request, null);
    }

    /** POST /oauth2/userinfo with an empty form, this Authorization header and DPoP header. */
    APIGatewayProxyResponseEvent userInfoByPost(String authorization, String proof) {
        APIGatewayProxyRequestEvent request = formPost("/oauth2/userinfo", Map.of());
        request.getHeaders().put("Authorization", authorization);
        request.getHeaders().put("DPoP", proof);
        return userInfoByPost.handleRequest(request, null);
    }

    /** GET /oauth2/userinfo with this Authorization header and DPoP header (each absent when null). */
    APIGatewayProxyResponseEvent userInfo(String authorization, String proof) {
        Map<String, String> headers = browserHeaders(null);
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        if (proof != null) {
            headers.put("DPoP", proof);
        }
        return userInfo.handleRequest(event("GET", "/oauth2/userinfo", headers, null), null);
    }

    static String basic(String clientId, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** POST /oauth2/introspect with exactly these parameters, client credentials among them or not. */
    APIGatewayProxyResponseEvent introspect(Map<String, String> parameters) {
        return introspect.handleRequest(formPost("/oauth2/introspect", parameters), null);
    }

    APIGatewayProxyResponseEvent revoke(Map<String, String> parameters) {
        return revoke.handleRequest(formPost("/oauth2/revoke", parameters), null);
    }

    static String ticketOf(APIGatewayProxyResponseEvent consentPage) {
        Matcher matcher = TICKET.matcher(consentPage.getBody());
        if (!matcher.find()) {
            throw new AssertionError("no consent form in: " + consentPage.getBody());
        }
        return matcher.group(1).replace("&amp;", "&");
    }

    /** The query parameters of a redirect's Location. */
    static Map<String, String> redirectParameters(APIGatewayProxyResponseEvent redirect) {
        if (redirect.getStatusCode() != 302) {
            throw new AssertionError("expected a redirect: " + redirect.getStatusCode() + " " + redirect.getBody());
        }
        Map<String, String> parameters = new HashMap<>();
        String query = URI.create(redirect.getHeaders().get("Location")).getRawQuery();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    static JsonNode json(APIGatewayProxyResponseEvent response) {
        try {
            return Json.MAPPER.readTree(response.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A confidential code-flow client owned by "owner-1", its secret hashed as the registry hashes it; the caller sets
     * what its test is about (scopes, redirect URIs, logo ...) and stores it.
     */
    static ClientItem codeFlowClient(Services services, Clock clock, String name, String secret) {
        String now = clock.instant().toString();
        ClientItem client = new ClientItem();
        client.setClientId(UUID.randomUUID().toString());
        client.setSecretHash(services.secretHasher().hash(secret));
        client.setName(name);
        client.setGrantTypes(List.of("authorization_code", "refresh_token"));
        client.setAuthenticationMethods(List.of("client_secret_post", "none"));
        client.setEnabled(true);
        client.setIsPublic(false);
        client.setTenant(services.settings().tenant());
        client.setCreatedOn(now);
        client.setCreatedBy("owner-1");
        client.setModifiedOn(now);
        client.setModifiedBy("owner-1");
        return client;
    }

    /** The PKCE S256 challenge of a verifier (RFC 7636 §4.2), computed here rather than by the code under test. */
    static String pkceChallenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static APIGatewayProxyRequestEvent formPost(String path, Map<String, String> parameters) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        return event("POST", path, headers, form(parameters));
    }

    private static Map<String, String> browserHeaders(String userToken) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        headers.put("Accept", "text/html");
        if (userToken != null) {
            headers.put("Cookie", "theme=dark; asc_auth_key=" + userToken);
        }
        return headers;
    }

    private static APIGatewayProxyRequestEvent event(String method, String path, Map<String, String> headers,
            String body) {
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withResource(path).withPath(path)
                .withHeaders(headers).withBody(body);
    }

    static String form(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> pairs.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return String.join("&", pairs);
    }
}
