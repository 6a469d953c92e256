package dev.tokenservice.local.gateway;

import dev.tokenservice.local.template.ApiDefinition;
import dev.tokenservice.local.template.ApiDefinition.Throttle;
import dev.tokenservice.local.template.ApiRoute;
import dev.tokenservice.local.template.TemplateModel;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * API Gateway's request limits from the template, in the order AWS applies them: the usage plan's quota
 * and per-key throttle for methods that require an API key, then the method's throttle (its own
 * MethodSettings entry, else the stage default). Every method has its own bucket, as in AWS.
 */
public final class Throttling {

    enum Verdict { ADMITTED, THROTTLED, QUOTA_EXCEEDED }

    private final Map<ApiRoute, TokenBucket> methodBuckets = new HashMap<>();
    private final Map<String, TokenBucket> keyBuckets = new HashMap<>();
    private final Map<String, UsageQuota> quotas = new HashMap<>();

    public Throttling(TemplateModel template, List<ApiRoute> routes, LongSupplier nanoTime, Clock clock) {
        for (ApiRoute route : routes) {
            Optional<ApiDefinition> api = template.api(route.apiId());
            api.flatMap(a -> a.throttleFor(route.path(), route.method()))
                    .ifPresent(t -> methodBuckets.put(route, bucket(t, nanoTime)));
            api.flatMap(ApiDefinition::usagePlan).ifPresent(plan -> {
                plan.throttle().ifPresent(t -> keyBuckets.computeIfAbsent(route.apiId(), id -> bucket(t, nanoTime)));
                plan.quota().ifPresent(q -> quotas.computeIfAbsent(route.apiId(),
                        id -> new UsageQuota(q.limit(), q.period(), clock)));
            });
        }
    }

    /** One request on a route; {@code withApiKey} when it passed an API key check (usage plans count keys). */
    Verdict admit(ApiRoute route, boolean withApiKey) {
        if (withApiKey) {
            UsageQuota quota = quotas.get(route.apiId());
            if (quota != null && !quota.tryUse()) {
                return Verdict.QUOTA_EXCEEDED;
            }
            TokenBucket perKey = keyBuckets.get(route.apiId());
            if (perKey != null && !perKey.tryTake()) {
                return Verdict.THROTTLED;
            }
        }
        TokenBucket perMethod = methodBuckets.get(route);
        return perMethod == null || perMethod.tryTake() ? Verdict.ADMITTED : Verdict.THROTTLED;
    }

    private static TokenBucket bucket(Throttle throttle, LongSupplier nanoTime) {
        return new TokenBucket(throttle.rateLimit(), throttle.burstLimit(), nanoTime);
    }
}
