package dev.tokenservice.local.template;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What an AWS::Serverless::Api says about throttling, API keys and the responses API Gateway itself writes. */
public record ApiDefinition(String logicalId, List<MethodThrottle> methodSettings, Optional<UsagePlan> usagePlan,
        Map<String, GatewayResponse> gatewayResponses) {

    /** MethodSettings' ResourcePath and HttpMethod for "every method of the stage". */
    static final String EVERY_RESOURCE = "/*";
    static final String EVERY_METHOD = "*";

    /**
     * The throttle API Gateway applies to one method: a setting for this exact path and method wins over
     * one for the path, which wins over the stage default; each limit is taken from the most specific
     * setting that has it. Empty when no setting limits the method (AWS then applies only account limits).
     */
    public Optional<Throttle> throttleFor(String path, String method) {
        Double rate = null;
        Double burst = null;
        for (Optional<MethodThrottle> setting : List.of(
                find(path, method), find(path, EVERY_METHOD), find(EVERY_RESOURCE, EVERY_METHOD))) {
            if (setting.isPresent()) {
                rate = rate != null ? rate : setting.get().rateLimit();
                burst = burst != null ? burst : setting.get().burstLimit();
            }
        }
        if (rate == null || burst == null || rate < 0 || burst < 0) {
            return Optional.empty();
        }
        return Optional.of(new Throttle(rate, burst));
    }

    private Optional<MethodThrottle> find(String path, String method) {
        return methodSettings.stream()
                .filter(s -> s.resourcePath().equals(path) && s.httpMethod().equalsIgnoreCase(method))
                .findFirst();
    }

    /** Steady requests per second and the bucket size of a token bucket. */
    public record Throttle(double rateLimit, double burstLimit) {
    }

    /**
     * One MethodSettings entry, its ResourcePath decoded ("~1" is "/"); a limit it does not set is null.
     */
    public record MethodThrottle(String resourcePath, String httpMethod, Double rateLimit, Double burstLimit) {
    }

    /** Auth.UsagePlan: limits per API key. */
    public record UsagePlan(Optional<Throttle> throttle, Optional<Quota> quota) {
    }

    /** At most {@code limit} requests per DAY, WEEK or MONTH. */
    public record Quota(long limit, String period) {
    }

    /**
     * A GatewayResponses entry: the status, literal header values (unquoted, or a method.request.header.X
     * mapping), and the application/json response template; an absent part is null or empty.
     */
    public record GatewayResponse(Integer statusCode, Map<String, String> headers, String jsonTemplate) {
    }
}
