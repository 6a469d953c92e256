package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/logout: the relying party's logout request as a form, or the confirmation page's decision. */
public final class PostEndSessionHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final EndSessionEndpoint endpoint;

    public PostEndSessionHandler() {
        this(Services.production());
    }

    public PostEndSessionHandler(Services services) {
        this.endpoint = new EndSessionEndpoint(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return endpoint.answer("PostEndSession", event);
    }
}
