package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.broker.UpstreamSignOut;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.oauth.authorization.Logout;
import dev.tokenservice.pages.AuthorizationPages;
import dev.tokenservice.sessions.SessionCheck;
import dev.tokenservice.wiring.Services;
import java.util.List;
import java.util.Map;

/**
 * What GET and POST /oauth2/logout (OpenID Connect RP-Initiated Logout 1.0) share: the relying party's request, by
 * query or form, and the confirmation page's decision, a form carrying its ticket. Each route has its own handler
 * class, so that each function's AWS calls are its own (IamPolicyTest).
 */
final class EndSessionEndpoint {

    private final Services services;
    private final Logout logout;
    private final UpstreamSignOut upstreamSignOut;

    EndSessionEndpoint(Services services) {
        this.services = services;
        this.logout = services.logout();
        this.upstreamSignOut = services.upstreamSignOut();
        services.sessions();
    }

    APIGatewayProxyResponseEvent answer(String name, APIGatewayProxyRequestEvent event) {
        return BrowserRoute.answer(name, event, services, "the logout request", request -> {
            Map<String, List<String>> parameters = request.parameters();
            SessionCheck browser = request.browser();
            var user = browser.session();
            Logout.Outcome outcome;
            boolean browserSessionEnded;
            if (parameters.containsKey("ticket")) {
                if (user.isEmpty()) {
                    return AuthorizationPages.signInRequired(browser.refusal());
                }
                String decision = BrowserRoute.single(parameters, "decision", "sign-out form");
                outcome = logout.decide(BrowserRoute.single(parameters, "ticket", "sign-out form"), decision, user.get());
                browserSessionEnded = "logout".equals(decision);
            } else {
                Logout.Request logoutRequest = logout.validate(parameters, request.issuer());
                outcome = logout.start(logoutRequest, user);
                browserSessionEnded = user.isPresent() && logoutRequest.hint() != null
                        && user.get().sessionId().equals(logoutRequest.hint().getClaim("sid"));
            }
            if (browserSessionEnded) {
                // The upstream that signed this session in signs the person out too, then sends them on.
                String then = outcome instanceof Logout.Redirect redirect ? redirect.location() : null;
                var viaUpstream = upstreamSignOut.via(user.get(), then, request.issuer());
                if (viaUpstream.isPresent()) {
                    return ApiResponse.redirect(viaUpstream.get());
                }
            }
            if (outcome instanceof Logout.Redirect redirect) {
                return ApiResponse.redirect(redirect.location());
            }
            if (outcome instanceof Logout.Confirmation confirm) {
                return AuthorizationPages.logoutConfirmation(confirm.request().client(), confirm.ticket(),
                        user.orElseThrow().displayName(), confirm.request().redirectUri());
            }
            Logout.Finished finished = (Logout.Finished) outcome;
            return AuthorizationPages.loggedOut(finished.client(), finished.signedOut());
        });
    }
}
