package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** GET /oauth2/logout (OpenID Connect RP-Initiated Logout 1.0): end the hinted session, or ask the user to confirm. */
public final class EndSessionHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final EndSessionEndpoint endpoint;

    public EndSessionHandler() {
        this(Services.production());
    }

    public EndSessionHandler(Services services) {
        this.endpoint = new EndSessionEndpoint(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return endpoint.answer("EndSession", event);
    }
}
