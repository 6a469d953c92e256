package dev.tokenservice.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.oauth.Issuer;
import dev.tokenservice.oauth.device.DeviceAuthorizations;
import dev.tokenservice.oauth.token.TokenRequest;
import dev.tokenservice.wiring.Priming;
import dev.tokenservice.wiring.Services;

/** POST /oauth2/device_authorization (RFC 8628 §3.1): a device gets a device code and the user code to show. */
public final class StartDeviceAuthorizationHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final DeviceAuthorizations devices;

    public StartDeviceAuthorizationHandler() {
        this(Services.production());
        Priming.register("StartDeviceAuthorization", this::prime);
    }

    public StartDeviceAuthorizationHandler(Services services) {
        this.services = services;
        this.devices = services.deviceAuthorizations();
    }

    /** Before the SnapStart snapshot: a start by a client that cannot exist (one GetItem, 401, not counted). */
    void prime() {
        services.failedAuthenticationThrottle().withoutCounting(() -> handleRequest(
                Priming.formPost("/oauth2/device_authorization", "scope=openid"), null));
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("StartDeviceAuthorization", ErrorFormat.OAUTH, () -> {
            TokenRequest request = TokenRequest.parse(new ApiRequest(event));
            var started = devices.start(request, Issuer.of(services.settings(), request.http()));
            return ApiResponse.json(200, started.toJson(), ApiResponse.noStore());
        });
    }
}
