package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.broker.BrokeredSignIn;
import dev.tokenservice.broker.SignInFailure;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.Log;
import dev.tokenservice.pages.AuthorizationPages;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What the upstream sign-in's start and callback share: which upstream the path names, the state cookie (its
 * path, so that only these routes see it), and a failure as a page, logged once without secrets.
 */
final class UpstreamSignInRoute {

    private UpstreamSignInRoute() {
    }

    /** The upstream's id in the path, when it is one an upstream could have; else null (a page says none is). */
    static String upstreamId(ApiRequest request) {
        String id = request.pathParameter("upstream").orElse(null);
        return id != null && id.matches("[A-Za-z0-9_-]{1,64}") ? id : null;
    }

    static String stateCookie(String issuerUrl, String upstreamId, String value, long maxAge) {
        String path = URI.create(issuerUrl).getRawPath() + "/oauth2/upstream/" + upstreamId + "/";
        return BrokeredSignIn.STATE_COOKIE + "=" + value + "; Path=" + path + "; Max-Age=" + maxAge
                + "; HttpOnly; SameSite=Lax" + (issuerUrl.startsWith("https://") ? "; Secure" : "");
    }

    static APIGatewayProxyResponseEvent failed(String route, String upstreamId, String issuerUrl, SignInFailure failure) {
        Log.warn("upstream sign-in failed", "route", route, "upstream", String.valueOf(upstreamId),
                "reason", failure.reason().name(), "detail", String.valueOf(failure.detail()));
        int status = failure.reason() == SignInFailure.Reason.NOT_CONFIGURED ? 404 : 400;
        APIGatewayProxyResponseEvent page = AuthorizationPages.signInFailed(status, failure.reason().text(),
                failure.detail());
        if (upstreamId != null && failure.reason() != SignInFailure.Reason.NOT_CONFIGURED) {
            // A failed attempt is over in this browser too: its state is of no further use.
            withCookies(page, List.of(stateCookie(issuerUrl, upstreamId, "", 0)));
        }
        return page;
    }

    static APIGatewayProxyResponseEvent withCookies(APIGatewayProxyResponseEvent response, List<String> cookies) {
        response.setMultiValueHeaders(Map.of("Set-Cookie", cookies));
        return response;
    }
}
