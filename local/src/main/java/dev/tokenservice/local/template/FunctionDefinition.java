package dev.tokenservice.local.template;

import java.util.List;

/**
 * An AWS::Serverless::Function with the Globals applied.
 *
 * @param handler "package.Class::method", or null when the template names none
 */
public record FunctionDefinition(String logicalId, String handler, int timeoutSeconds, int memorySizeMb,
        List<EventDefinition> events, List<ApiRoute> apiRoutes) {

    public String handlerClassName() {
        int separator = handler.indexOf("::");
        return separator < 0 ? handler : handler.substring(0, separator);
    }

    /** Lambda's Java runtime calls handleRequest when the handler names no method. */
    public String handlerMethodName() {
        int separator = handler.indexOf("::");
        return separator < 0 ? "handleRequest" : handler.substring(separator + 2);
    }
}
