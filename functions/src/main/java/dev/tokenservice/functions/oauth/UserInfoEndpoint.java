package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.auth.Caller;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.openid.UserInfo;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;

/**
 * What GET and POST /oauth2/userinfo (OpenID Connect Core §5.3) share: the Bearer access token in the Authorization
 * header, or for POST in the form body (RFC 6750 §2.2), checked as every protected route checks its caller. Each
 * route has its own handler class, so that each function's AWS calls are its own (IamPolicyTest).
 */
final class UserInfoEndpoint {

    private final Services services;

    UserInfoEndpoint(Services services) {
        this.services = services;
        services.callerAuthenticator();
        services.signingKeys();
    }

    APIGatewayProxyResponseEvent answer(String name, APIGatewayProxyRequestEvent event) {
        return Endpoint.run(name, ErrorFormat.OAUTH, () -> {
            ApiRequest http = new ApiRequest(event);
            String issuer = Issuer.of(services.settings(), http);
            Caller caller = formToken(http)
                    .map(token -> services.callerAuthenticator().verify(token, issuer, services.ownAudiences(issuer)))
                    .orElseGet(() -> services.authenticate(http));
            return ApiResponse.json(200, UserInfo.of(caller), ApiResponse.noStore());
        });
    }

    /** RFC 6750 §2.2: a POST may carry the token as the form parameter access_token (once, and no header then). */
    private static java.util.Optional<String> formToken(ApiRequest http) {
        if (!"POST".equals(http.method()) || !http.hasContentType("application/x-www-form-urlencoded")) {
            return java.util.Optional.empty();
        }
        List<String> values = http.formParameters().get("access_token");
        if (values != null && http.header("authorization").isPresent()) {
            // RFC 6750 §2: a client MUST NOT use more than one method to transmit the token in a request.
            throw new ApiError(400, "invalid_request", "the access token was sent both in the Authorization header and "
                    + "in the form; send it one way", Map.of("WWW-Authenticate", "Bearer error=\"invalid_request\""));
        }
        return values == null || values.size() != 1 ? java.util.Optional.empty() : java.util.Optional.of(values.get(0));
    }
}
