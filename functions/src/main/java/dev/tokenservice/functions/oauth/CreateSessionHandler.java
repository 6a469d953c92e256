package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.auth.CallerAuthenticator;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.Json;
import dev.tokenservice.http.JsonBody;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.scopes.ServiceScopes;
import dev.tokenservice.sessions.NewSession;
import dev.tokenservice.sessions.Sessions;
import dev.tokenservice.wiring.Services;

/**
 * POST /oauth2/sessions: a login front end (its client holds sessions:create) reports whom it signed in, and gets
 * the session credential to set as the browser's asc_auth_key cookie on this service's domain.
 */
public final class CreateSessionHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final Sessions sessions;

    public CreateSessionHandler() {
        this(Services.production());
    }

    public CreateSessionHandler(Services services) {
        this.services = services;
        this.sessions = services.sessions();
        services.callerAuthenticator();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("CreateSession", ErrorFormat.OAUTH, () -> {
            ApiRequest request = new ApiRequest(event);
            var frontEnd = services.authenticate(request).requireAnyScope(ServiceScopes.SESSIONS_CREATE);
            var asked = NewSession.parse(JsonBody.parse(request), services.clock().instant());
            var minted = sessions.mint(Issuer.of(services.settings(), request), frontEnd.clientId(), asked);
            var body = Json.object()
                    .put("session", minted.credential())
                    .put("token_type", "session")
                    .put("expires_in", minted.expiresIn())
                    .put("sid", minted.session().sessionId())
                    .put("sub", minted.session().subject())
                    .put("auth_time", minted.session().authTime())
                    .put("cookie_name", CallerAuthenticator.DOCSPACE_COOKIE);
            return ApiResponse.json(201, body, ApiResponse.noStore());
        });
    }
}
