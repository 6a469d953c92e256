package dev.tokenservice.oauth.authorization;

import dev.tokenservice.clients.ClientItem;
import dev.tokenservice.clients.ClientRepository;
import dev.tokenservice.clients.SecretHasher;
import dev.tokenservice.consents.ConsentStore;
import dev.tokenservice.oauth.token.AuthorizationCodes;
import dev.tokenservice.openid.IdTokens;
import dev.tokenservice.sessions.Session;
import dev.tokenservice.sessions.SessionCheck;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GET and POST /oauth2/authorize (RFC 6749 §4.1 with PKCE, RFC 9207's iss, OpenID Connect Core §3.1.2): a person
 * whose browser session satisfies the request either already consented to what the client asks, and goes straight
 * back with a code, or sees a consent page whose decision comes back here. A request the session cannot satisfy
 * (nobody signed in, prompt=login, max_age elapsed, prompt=select_account, another user named by id_token_hint)
 * goes to the login front end once, by the sign-in hand-off, and otherwise ends in login_required.
 */
public final class AuthorizationEndpoint {

    /** What the browser is shown next. */
    public sealed interface Outcome permits Redirect, ConsentPage {
    }

    /** 302 to the client's redirect URI with a code or an error, or to the login front end. */
    public record Redirect(String location) implements Outcome {
    }

    /** The consent page for this request; the ticket is all the form sends back besides the decision. */
    public record ConsentPage(AuthorizationRequest request, String ticket) implements Outcome {
    }

    private final ClientRepository clients;
    private final ConsentStore consents;
    private final AuthorizationCodes codes;
    private final SecretHasher hasher;
    private final IdTokens idTokens;
    private final Clock clock;
    private final Optional<String> loginUrl;
    private final Optional<String> defaultAudience;
    private final PushedAuthorizationRequests pushedRequests;

    public AuthorizationEndpoint(ClientRepository clients, ConsentStore consents, AuthorizationCodes codes,
            SecretHasher hasher, IdTokens idTokens, Clock clock, Optional<String> loginUrl,
            Optional<String> defaultAudience, PushedAuthorizationRequests pushedRequests) {
        this.clients = clients;
        this.consents = consents;
        this.codes = codes;
        this.hasher = hasher;
        this.idTokens = idTokens;
        this.clock = clock;
        this.loginUrl = loginUrl;
        this.defaultAudience = defaultAudience;
        this.pushedRequests = pushedRequests;
    }

    /**
     * The next step for an authorization request (its parameters from the query or the form) in the browser's
     * session. A request coming back from the login front end arrives as a single resume parameter.
     */
    public Outcome authorize(Map<String, List<String>> parameters, SessionCheck browser, String issuerUrl) {
        boolean resumed = parameters.containsKey("resume");
        LoginHandOff.Resumed original;
        if (resumed) {
            if (parameters.size() != 1 || parameters.get("resume").size() != 1) {
                throw AuthorizationProblem.shownToUser("a sign-in link back (resume) comes alone");
            }
            original = LoginHandOff.resume(hasher, parameters.get("resume").get(0), clock.instant());
        } else if (namesPushedRequest(parameters)) {
            original = new LoginHandOff.Resumed(pushed(parameters), clock.instant().getEpochSecond());
        } else {
            original = new LoginHandOff.Resumed(parameters, clock.instant().getEpochSecond());
        }
        // A resumed request was validated, pushed or not, before the hand-off signed it.
        AuthorizationRequest request = AuthorizationRequest.validate(original.parameters(), clients,
                defaultAudience.orElse(issuerUrl), resumed || namesPushedRequest(parameters));
        String unmet = unmetSignIn(request, browser, original.startedAt(), resumed, issuerUrl);
        if (unmet != null) {
            if (request.prompts("none") || resumed || loginUrl.isEmpty()) {
                boolean chooseAccount = request.prompts("select_account") && browser.session().isPresent();
                return new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl,
                        chooseAccount ? "account_selection_required" : "login_required", unmet));
            }
            String back = LoginHandOff.returnLink(hasher, issuerUrl, original.parameters(), original.startedAt(),
                    clock.instant());
            // A path (the upstream sign-in's start route) is this service's own, wherever the request came in.
            String frontEnd = loginUrl.get().startsWith("/") ? issuerUrl + loginUrl.get() : loginUrl.get();
            return new Redirect(LoginHandOff.frontEndLocation(frontEnd, back, original.parameters()));
        }
        Session user = browser.session().orElseThrow();
        String clientId = request.client().getClientId();
        boolean consented = !request.prompts("consent") && consents.covers(clientId, user.subject(), request.scopes());
        if (consented) {
            return new Redirect(codeRedirect(request.client(), request.redirectUri(), user, request.scopes(),
                    request.state(), request.codeChallenge(), request.nonce(), request.resources(), request.dpopJkt(),
                    issuerUrl));
        }
        if (request.prompts("none")) {
            return new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl, "consent_required",
                    "the user has not consented to these scopes"));
        }
        return new ConsentPage(request, ConsentTicket.issue(hasher, request, user, clock.instant()));
    }

    /**
     * Whether request_uri names a pushed request; any other request_uri (a request object by reference, OpenID
     * Connect Core §6.2) goes on to be refused as request_uri_not_supported at the client's redirect URI.
     */
    private static boolean namesPushedRequest(Map<String, List<String>> parameters) {
        List<String> requestUri = parameters.get("request_uri");
        return requestUri != null && requestUri.stream()
                .anyMatch(value -> value.startsWith(PushedAuthorizationRequests.REQUEST_URI_PREFIX));
    }

    /**
     * The request a client pushed (RFC 9126 §4): client_id and request_uri, each once; the pushed parameters are the
     * whole request, whatever else the query says.
     */
    private Map<String, List<String>> pushed(Map<String, List<String>> parameters) {
        List<String> requestUri = parameters.get("request_uri");
        List<String> clientId = parameters.get("client_id");
        if (requestUri.size() != 1 || clientId == null || clientId.size() != 1) {
            throw AuthorizationProblem.shownToUser("a pushed request is named by one request_uri and one client_id");
        }
        return pushedRequests.take(requestUri.get(0), clientId.get(0));
    }

    /**
     * Why the browser's session does not satisfy the request, or null when it does. prompt=login and max_age=0
     * (Core §3.1.2.1: the same) need a sign-in made after the request began, which only a request brought back
     * by the hand-off can show; max_age counts from when the request began; select_account needs a session chosen
     * after it began; an id_token_hint must name the signed-in user.
     */
    private String unmetSignIn(AuthorizationRequest request, SessionCheck browser, long startedAt, boolean resumed,
            String issuerUrl) {
        if (browser.session().isEmpty()) {
            return browser.refusal() != null ? browser.refusal() : "the user is not signed in";
        }
        Session user = browser.session().get();
        Long maxAge = request.maxAge();
        if (request.prompts("login") || (maxAge != null && maxAge == 0)) {
            if (!resumed || user.authTime() < startedAt) {
                return "a new sign-in is needed (prompt=login or max_age=0)";
            }
        } else if (maxAge != null && user.authTime() < startedAt - maxAge) {
            return "the sign-in is older than max_age";
        }
        if (request.prompts("select_account") && (!resumed || user.issuedAt() < startedAt)) {
            return "an account must be chosen (prompt=select_account)";
        }
        if (request.idTokenHint() != null && idTokens.verifyHint(request.idTokenHint(), issuerUrl)
                .filter(hint -> hint.getSubject().equals(user.subject())).isEmpty()) {
            return "the id_token_hint names another user, or is not an ID token of this issuer";
        }
        return null;
    }

    /** The user's answer on the consent page; the ticket proves the page was ours and shown in this session. */
    public Redirect decide(String ticket, String decision, Session user, String issuerUrl) {
        ConsentTicket.Content approved = ConsentTicket.verify(hasher, ticket, user, clock.instant());
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
        if (!AuthorizationRequest.permittedScopes(client, approved.scopes().contains("openid"))
                .containsAll(approved.scopes())) {
            return new Redirect(errorRedirect(approved.redirectUri(), approved.state(), issuerUrl, "invalid_scope",
                    "the client is no longer registered for every approved scope"));
        }
        consents.grant(client.getClientId(), user.subject(), approved.scopes());
        return new Redirect(codeRedirect(client, approved.redirectUri(), user, approved.scopes(),
                approved.state(), approved.codeChallenge(), approved.nonce(), approved.resources(), approved.dpopJkt(),
                issuerUrl));
    }

    /** Where a redirectable problem of the request goes: back to the client, with state and iss. */
    public static String errorRedirect(AuthorizationProblem problem, String issuerUrl) {
        return errorRedirect(problem.redirectUri(), problem.state(), issuerUrl, problem.error(), problem.description());
    }

    private String codeRedirect(ClientItem client, String redirectUri, Session user, List<String> scopes,
            String state, String challenge, String nonce, List<String> resources, String dpopJkt, String issuerUrl) {
        String code = codes.issue(client.getClientId(), user, redirectUri, scopes, challenge, nonce, resources,
                dpopJkt);
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

    public static String withQuery(String uri, Map<String, String> parameters) {
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
}
