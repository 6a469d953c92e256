package dev.tokenservice.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;

/** Runs one function's handler on a proxy event, as the Lambda runtime would. */
@FunctionalInterface
public interface FunctionInvoker {

    /** Whatever the handler throws reaches the caller unwrapped. */
    APIGatewayProxyResponseEvent invoke(APIGatewayProxyRequestEvent event, Context context) throws Exception;
}
