package dev.tokenservice.oauth;

import dev.tokenservice.auth.Caller;
import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.consents.ConsentStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET and POST /oauth2/authorize (RFC 6749 §4.1 with PKCE and RFC 9207's iss): a signed-in user either
 * already consented to what the client asks, and goes straight back with a code, or sees a consent page
 * whose decision comes back here.
 */
public final class AuthorizationEndpoint {

    /** What the browser is shown next. */
    public sealed interface Outcome permits Redirect, ConsentPage {
    }

    /** 302 to the client's redirect URI with a code or an error. */
    public record Redirect(String location) implements Outcome {
    }

    /** The consent page for this request; the ticket is all the form sends back besides the decision. */
    public record ConsentPage(AuthorizationRequest request, String ticket) implements Outcome {
    }

    private final ClientRepository clients;
    private final ConsentStore consents;
    private final AuthorizationCodes codes;
    private final SecretHasher hasher;
    private final Clock clock;

    public AuthorizationEndpoint(ClientRepository clients, ConsentStore consents, AuthorizationCodes codes,
            SecretHasher hasher, Clock clock) {
        this.clients = clients;
        this.consents = consents;
        this.codes = codes;
        this.hasher = hasher;
        this.clock = clock;
    }

    /** Checks the request before anything else, so that its problems reach the client or the user. */
    public AuthorizationRequest validate(Map<String, List<String>> parameters) {
        return AuthorizationRequest.validate(parameters, clients);
    }

    /**
     * The next step for a signed-in user. prompt=consent asks again even when a consent exists;
     * prompt=none never shows a page (OpenID Connect §3.1.2.1), so without consent it is an error.
     */
    public Outcome start(AuthorizationRequest request, Map<String, List<String>> parameters, Caller user,
            String issuerUrl) {
        List<String> prompt = OAuthScopes.split(first(parameters, "prompt").orElse(""));
        String clientId = request.client().getClientId();
        boolean consented = !prompt.contains("consent") && consents.covers(clientId, user.subject(), request.scopes());
        if (consented) {
            return new Redirect(codeRedirect(request.client(), request.redirectUri(), user.subject(), request.scopes(),
                    request.state(), request.codeChallenge(), issuerUrl));
        }
        if (prompt.contains("none")) {
            return new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl, "consent_required",
                    "the user has not consented to these scopes"));
        }
        return new ConsentPage(request, ConsentTicket.issue(hasher, request, user.subject(), clock.instant()));
    }

    /**
     * What to do when nobody is signed in: with prompt=none the client hears login_required; otherwise
     * (empty) the user is asked to sign in.
     */
    public java.util.Optional<Redirect> withoutUser(AuthorizationRequest request, Map<String, List<String>> parameters,
            String issuerUrl) {
        if (!OAuthScopes.split(first(parameters, "prompt").orElse("")).contains("none")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl,
                "login_required", "the user is not signed in")));
    }

    /** The user's answer on the consent page; the ticket proves the page was ours and shown to this user. */
    public Redirect decide(String ticket, String decision, Caller user, String issuerUrl) {
        ConsentTicket.Content approved = ConsentTicket.verify(hasher, ticket, user.subject(), clock.instant());
        // The client may have changed while the page was open: it must still own this redirect URI.
        ClientItem client = clients.find(approved.clientId())
                .filter(found -> found.getRedirectUris() != null && found.getRedirectUris().contains(approved.redirectUri()))
                .orElseThrow(() -> AuthorizationProblem.shownToUser("the client is no longer registered for this redirect"));
        if ("deny".equals(decision)) {
            return new Redirect(errorRedirect(approved.redirectUri(), approved.state(), issuerUrl, "access_denied",
                    "the user denied the request"));
        }
        if (!"approve".equals(decision)) {
            throw AuthorizationProblem.shownToUser("the decision must be approve or deny");
        }
        if (!client.isEnabled()) {
            return new Redirect(errorRedirect(approved.redirectUri(), approved.state(), issuerUrl, "unauthorized_client",
                    "the client is disabled"));
        }
        if (!client.scopesOrEmpty().containsAll(approved.scopes())) {
            return new Redirect(errorRedirect(approved.redirectUri(), approved.state(), issuerUrl, "invalid_scope",
                    "the client is no longer registered for every approved scope"));
        }
        consents.grant(client.getClientId(), user.subject(), approved.scopes());
        return new Redirect(codeRedirect(client, approved.redirectUri(), user.subject(), approved.scopes(),
                approved.state(), approved.codeChallenge(), issuerUrl));
    }

    /** Where a redirectable problem of the request goes: back to the client, with state and iss. */
    public static String errorRedirect(AuthorizationProblem problem, String issuerUrl) {
        return errorRedirect(problem.redirectUri(), problem.state(), issuerUrl, problem.error(), problem.description());
    }

    private String codeRedirect(ClientItem client, String redirectUri, String principal, List<String> scopes,
            String state, String challenge, String issuerUrl) {
        String code = codes.issue(client.getClientId(), principal, redirectUri, scopes, challenge);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("code", code);
        parameters.put("state", state);
        parameters.put("iss", issuerUrl);
        return withQuery(redirectUri, parameters);
    }

    private static String errorRedirect(String redirectUri, String state, String issuerUrl, String error,
            String description) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("error", error);
        parameters.put("error_description", description);
        parameters.put("state", state);
        parameters.put("iss", issuerUrl);
        return withQuery(redirectUri, parameters);
    }

    private static String withQuery(String uri, Map<String, String> parameters) {
        StringBuilder location = new StringBuilder(uri);
        char separator = uri.contains("?") ? '&' : '?';
        for (var parameter : parameters.entrySet()) {
            if (parameter.getValue() == null) {
                continue;
            }
            location.append(separator).append(parameter.getKey()).append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return location.toString();
    }

    private static java.util.Optional<String> first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(values.get(0));
    }
}
