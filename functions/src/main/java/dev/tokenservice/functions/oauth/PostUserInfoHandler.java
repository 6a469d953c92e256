package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/userinfo: the same, the token in the Authorization header or the form (RFC 6750 §2.2). */
public final class PostUserInfoHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final UserInfoEndpoint endpoint;

    public PostUserInfoHandler() {
        this(Services.production());
    }

    public PostUserInfoHandler(Services services) {
        this.endpoint = new UserInfoEndpoint(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return endpoint.answer("PostUserInfo", event);
    }
}
