package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** GET /oauth2/authorize: straight back to the client with a code or an error, the consent page, or the login front end. */
public final class AuthorizeHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final AuthorizationRoute route;

    public AuthorizeHandler() {
        this(Services.production());
    }

    public AuthorizeHandler(Services services) {
        this.route = new AuthorizationRoute(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return route.answer("Authorize", event);
    }
}
