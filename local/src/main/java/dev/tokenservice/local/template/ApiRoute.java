package dev.tokenservice.local.template;

/**
 * One Api event of a function: the method and path template API Gateway routes to it.
 *
 * @param method upper case, or ANY
 * @param apiId logical id of the AWS::Serverless::Api it belongs to; null for SAM's implicit API
 */
public record ApiRoute(String functionId, String apiId, String method, String path, boolean apiKeyRequired) {

    @Override
    public String toString() {
        return method + " " + path;
    }
}
