package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/authorize: an authorization request sent as a form, or the consent page's Approve or Deny. */
public final class DecideConsentHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final AuthorizationRoute route;

    public DecideConsentHandler() {
        this(Services.production());
    }

    public DecideConsentHandler(Services services) {
        this.route = new AuthorizationRoute(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return route.answer("DecideConsent", event);
    }
}
