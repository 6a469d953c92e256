package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** GET /oauth2/userinfo (OpenID Connect Core §5.3): the Bearer access token's user. */
public final class GetUserInfoHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final UserInfoEndpoint endpoint;

    public GetUserInfoHandler() {
        this(Services.production());
    }

    public GetUserInfoHandler(Services services) {
        this.endpoint = new UserInfoEndpoint(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return endpoint.answer("GetUserInfo", event);
    }
}
