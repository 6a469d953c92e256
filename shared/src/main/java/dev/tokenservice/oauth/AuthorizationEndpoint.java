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
    public sealed interface Outcome permits Redirect, ConsentPage, SignInPage {
    }

    /** The user must sign in (again): nobody is, the sign-in is older than max_age, or prompt=login asks. */
    public record SignInPage(AuthorizationRequest request) implements Outcome {
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
    private final IdTokens idTokens;
    private final Clock clock;

    /** A session token issued this recently counts as the fresh sign-in that prompt=login or max_age=0 asks for. */
    static final long FRESH_SIGN_IN_SECONDS = 60;

    public AuthorizationEndpoint(ClientRepository clients, ConsentStore consents, AuthorizationCodes codes,
            SecretHasher hasher, IdTokens idTokens, Clock clock) {
        this.clients = clients;
        this.consents = consents;
        this.codes = codes;
        this.hasher = hasher;
        this.idTokens = idTokens;
        this.clock = clock;
    }

    /** Checks the request before anything else, so that its problems reach the client or the user. */
    public AuthorizationRequest validate(Map<String, List<String>> parameters) {
        return AuthorizationRequest.validate(parameters, clients);
    }

    /**
     * The next step for a signed-in user. A sign-in older than max_age, prompt=login, or an id_token_hint that
     * names someone else needs a new sign-in; prompt=consent asks again even when a consent exists;
     * prompt=none never shows a page (OpenID Connect §3.1.2.1), so each of those is an error then.
     */
    public Outcome start(AuthorizationRequest request, Caller user, String issuerUrl) {
        if (!signInSatisfies(request, user, issuerUrl)) {
            return request.prompts("none")
                    ? new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl, "login_required",
                            "a new sign-in is needed"))
                    : new SignInPage(request);
        }
        String clientId = request.client().getClientId();
        boolean consented = !request.prompts("consent") && consents.covers(clientId, user.subject(), request.scopes());
        if (consented) {
            return new Redirect(codeRedirect(request.client(), request.redirectUri(), user, request.scopes(),
                    request.state(), request.codeChallenge(), request.nonce(), issuerUrl));
        }
        if (request.prompts("none")) {
            return new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl, "consent_required",
                    "the user has not consented to these scopes"));
        }
        return new ConsentPage(request, ConsentTicket.issue(hasher, request, user.subject(), clock.instant()));
    }

    /**
     * What to do when nobody is signed in: with prompt=none the client hears login_required; otherwise the user
     * is asked to sign in.
     */
    public Outcome withoutUser(AuthorizationRequest request, String issuerUrl) {
        if (!request.prompts("none")) {
            return new SignInPage(request);
        }
        return new Redirect(errorRedirect(request.redirectUri(), request.state(), issuerUrl,
                "login_required", "the user is not signed in"));
    }

    /** The user's sign-in (their session token's iat) is recent enough, and is the one an id_token_hint names. */
    private boolean signInSatisfies(AuthorizationRequest request, Caller user, String issuerUrl) {
        Long maxAge = request.maxAge();
        if (request.prompts("login") || (maxAge != null && maxAge == 0)) {
            maxAge = FRESH_SIGN_IN_SECONDS;
        }
        if (maxAge != null) {
            Long signedInAt = authTime(user);
            if (signedInAt == null || clock.instant().getEpochSecond() - signedInAt > maxAge) {
                return false;
            }
        }
        if (request.idTokenHint() != null) {
            return idTokens.verifyHint(request.idTokenHint(), issuerUrl)
                    .filter(hint -> hint.getSubject().equals(user.subject()))
                    .isPresent();
        }
        return true;
    }

    /** When the user signed in: the iat of the session token they hold (epoch seconds). */
    private static Long authTime(Caller user) {
        return user.claims() == null || user.claims().getIssueTime() == null ? null
                : user.claims().getIssueTime().toInstant().getEpochSecond();
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
        return new Redirect(codeRedirect(client, approved.redirectUri(), user, approved.scopes(),
                approved.state(), approved.codeChallenge(), approved.nonce(), issuerUrl));
    }

    /** Where a redirectable problem of the request goes: back to the client, with state and iss. */
    public static String errorRedirect(AuthorizationProblem problem, String issuerUrl) {
        return errorRedirect(problem.redirectUri(), problem.state(), issuerUrl, problem.error(), problem.description());
    }

    private String codeRedirect(ClientItem client, String redirectUri, Caller user, List<String> scopes,
            String state, String challenge, String nonce, String issuerUrl) {
        String code = codes.issue(client.getClientId(), user.subject(), redirectUri, scopes, challenge, nonce,
                authTime(user));
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

    static String withQuery(String uri, Map<String, String> parameters) {
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
