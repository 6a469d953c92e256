package dev.tokenservice.functions.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.tokenservice.sessions.NewSession;
import dev.tokenservice.sessions.UserClaims;
import dev.tokenservice.testing.TestServices;
import dev.tokenservice.tokens.AccessTokenRequest;
import dev.tokenservice.wiring.Services;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** API Gateway events as the REST API would deliver them, for handler tests. */
public final class Requests {

    private Requests() {
    }

    /** An access token of this service for the subject, as client_credentials would issue it. */
    public static String token(Services services, String subject, List<String> scopes) {
        return services.accessTokenIssuer().issue(new AccessTokenRequest(TestServices.ISSUER, subject, subject,
                scopes, List.of(TestServices.ISSUER), Duration.ofHours(1))).value();
    }

    /**
     * A browser session for the subject, as POST /oauth2/sessions mints it for a login front end that signed the
     * person in just now (the value of the asc_auth_key cookie).
     */
    public static String session(Services services, String subject) {
        return session(services, subject, null, UserClaims.NONE);
    }

    /** A browser session for a sign-in at authTime (epoch seconds; null = now), with what the front end told. */
    public static String session(Services services, String subject, Long authTime, UserClaims claims) {
        return services.sessions().mint(TestServices.ISSUER, LOGIN_FRONT_END, new NewSession(subject, authTime, claims))
                .credential();
    }

    /** The client id the test sessions are minted for. */
    public static final String LOGIN_FRONT_END = "login-front-end";

    /** method and path with its query; pathParameters filled from the route template's {name} segments. */
    public static APIGatewayProxyRequestEvent request(String method, String route, String pathAndQuery, String token,
            String jsonBody) {
        URI uri = URI.create(pathAndQuery);
        Map<String, String> headers = new HashMap<>();
        headers.put("Host", URI.create(TestServices.ISSUER).getHost());
        headers.put("X-Forwarded-Proto", "https");
        headers.put("Accept", "application/json");
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (jsonBody != null) {
            headers.put("Content-Type", "application/json");
        }
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod(method)
                .withResource(route)
                .withPath(uri.getRawPath())
                .withPathParameters(pathParameters(route, uri.getRawPath()))
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withHeaders(headers)
                .withBody(jsonBody);
    }

    private static Map<String, String> pathParameters(String route, String path) {
        String[] routeParts = route.split("/");
        String[] pathParts = path.split("/");
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < routeParts.length && i < pathParts.length; i++) {
            if (routeParts[i].startsWith("{")) {
                parameters.put(routeParts[i].substring(1, routeParts[i].length() - 1), decode(pathParts[i]));
            }
        }
        return parameters.isEmpty() ? null : parameters;
    }

    private static String decode(String value) {
        return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
