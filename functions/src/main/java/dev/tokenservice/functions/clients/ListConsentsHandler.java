package dev.tokenservice.functions.clients;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.consents.ConsentViews;
import dev.tokenservice.consents.Consents;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.http.ApiResponse;
import dev.tokenservice.http.Endpoint;
import dev.tokenservice.http.ErrorFormat;
import dev.tokenservice.http.Paging;
import dev.tokenservice.http.Timestamps;
import dev.tokenservice.wiring.Services;

/** GET /api/2.0/clients/consents: the caller's consents, most recently changed first. */
public final class ListConsentsHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private final Services services;
    private final Consents consents;

    public ListConsentsHandler() {
        this(Services.production());
    }

    public ListConsentsHandler(Services services) {
        this.services = services;
        this.consents = services.consents();
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return Endpoint.run("ListConsents", ErrorFormat.DOCSPACE, () -> {
            ApiRequest request = new ApiRequest(event);
            var caller = services.authenticate(request);
            var page = consents.list(caller, Paging.limit(request, 1, 50, null),
                    request.queryParameter("last_modified_on").filter(v -> !v.isBlank())
                            .map(v -> Timestamps.parse("last_modified_on", v)));
            return ApiResponse.json(200, ConsentViews.consents(page));
        });
    }
}
