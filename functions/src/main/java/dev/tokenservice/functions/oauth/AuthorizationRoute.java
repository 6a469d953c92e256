package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.oauth.authorization.AuthorizationEndpoint;
import dev.tokenservice.pages.AuthorizationPages;
import dev.tokenservice.sessions.SessionCheck;
import dev.tokenservice.wiring.Services;

/**
 * What GET and POST /oauth2/authorize share (OpenID Connect Core §3.1.2.1: the endpoint MUST support both): an
 * authorization request by query or form, and the consent page's decision, a form carrying its ticket. Only the
 * browser's session (the asc_auth_key cookie holding a session credential) signs a person in here; an access token
 * in the cookie or an Authorization header is nobody. Each route has its own handler class, so that each
 * function's AWS calls are its own (IamPolicyTest).
 */
final class AuthorizationRoute {

    private final Services services;
    private final AuthorizationEndpoint authorization;

    AuthorizationRoute(Services services) {
        this.services = services;
        this.authorization = services.authorizationEndpoint();
        services.sessions();
    }

    APIGatewayProxyResponseEvent answer(String name, APIGatewayProxyRequestEvent event) {
        return BrowserRoute.answer(name, event, services, "the authorization request or consent", request -> {
            SessionCheck browser = request.browser();
            if (request.posted() && request.parameters().containsKey("ticket")) {
                if (browser.session().isEmpty()) {
                    return AuthorizationPages.signInRequired(browser.refusal());
                }
                var redirect = authorization.decide(
                        BrowserRoute.single(request.parameters(), "ticket", "consent form"),
                        BrowserRoute.single(request.parameters(), "decision", "consent form"),
                        browser.session().get(), request.issuer());
                return ApiResponse.redirect(redirect.location());
            }
            var outcome = authorization.authorize(request.parameters(), browser, request.issuer());
            if (outcome instanceof AuthorizationEndpoint.ConsentPage page) {
                return AuthorizationPages.consent(page.request(), page.ticket(),
                        browser.session().orElseThrow().displayName());
            }
            return ApiResponse.redirect(((AuthorizationEndpoint.Redirect) outcome).location());
        });
    }
}
