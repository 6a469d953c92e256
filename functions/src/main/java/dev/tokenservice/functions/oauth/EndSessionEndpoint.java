package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.broker.UpstreamSignOut;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.authorization.AuthorizationProblem;
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
        return Endpoint.run(name, ErrorFormat.OAUTH, () -> {
            ApiRequest http = new ApiRequest(event);
            String issuer = Issuer.of(services.settings(), http);
            boolean posted = "POST".equals(http.method());
            if (posted && !http.hasContentType("application/x-www-form-urlencoded")) {
                return AuthorizationPages.problem(415, "the logout request must be posted as a form");
            }
            SessionCheck browser = services.browserSession(http);
            var user = browser.session();
            try {
                Map<String, List<String>> parameters = AuthorizationProblem.shownIfMalformed(
                        posted ? http::formParameters : http::queryParameters);
                Logout.Outcome outcome;
                boolean browserSessionEnded;
                if (parameters.containsKey("ticket")) {
                    if (user.isEmpty()) {
                        return AuthorizationPages.signInRequired(browser.refusal());
                    }
                    String decision = single(parameters, "decision");
                    outcome = logout.decide(single(parameters, "ticket"), decision, user.get());
                    browserSessionEnded = "logout".equals(decision);
                } else {
                    Logout.Request request = logout.validate(parameters, issuer);
                    outcome = logout.start(request, user);
                    browserSessionEnded = user.isPresent() && request.hint() != null
                            && user.get().sessionId().equals(request.hint().getClaim("sid"));
                }
                if (browserSessionEnded) {
                    // The upstream that signed this session in signs the person out too, then sends them on.
                    String then = outcome instanceof Logout.Redirect redirect ? redirect.location() : null;
                    var viaUpstream = upstreamSignOut.via(user.get(), then, issuer);
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
            } catch (AuthorizationProblem problem) {
                return AuthorizationPages.problem(400, problem.description());
            }
        });
    }

    private static String single(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        if (values == null || values.size() != 1) {
            throw AuthorizationProblem.shownToUser("the sign-out form must send " + name + " exactly once");
        }
        return values.get(0);
    }
}
