package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/device (RFC 8628 §3.3): a typed code (to the confirmation) or the confirmation's approve or deny. */
public final class AnswerDevicePageHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final DevicePageRoute route;

    public AnswerDevicePageHandler() {
        this(Services.production());
    }

    public AnswerDevicePageHandler(Services services) {
        this.route = new DevicePageRoute(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return route.answer("AnswerDevicePage", event);
    }
}
