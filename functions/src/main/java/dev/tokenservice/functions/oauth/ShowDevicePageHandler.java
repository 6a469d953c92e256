package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.wiring.Services;

/** GET /oauth2/device (RFC 8628 §3.3): the code form, or the login front end when nobody is signed in. */
public final class ShowDevicePageHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final DevicePageRoute route;

    public ShowDevicePageHandler() {
        this(Services.production());
    }

    public ShowDevicePageHandler(Services services) {
        this.route = new DevicePageRoute(services);
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return route.answer("ShowDevicePage", event);
    }
}
