package dev.tokenservice.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs one endpoint and turns every failure into a response in the family's error format: the caller's
 * mistakes as 4xx naming the field, storage or KMS overload as 429/503 with Retry-After, anything else as
 * a 500 without details. Nothing reaches the caller or the log as a stack trace.
 */
public final class Endpoint {

    private Endpoint() {
    }

    public static APIGatewayProxyResponseEvent run(
            String name, ErrorFormat format, Supplier<APIGatewayProxyResponseEvent> action) {
        try {
            return action.get();
        } catch (ApiError error) {
            return render(format, error);
        } catch (SdkException failure) {
            return render(format, dependencyFailure(name, failure));
        } catch (RuntimeException failure) {
            Log.error("unexpected failure", "endpoint", name, "exception", failure.getClass().getName());
            return render(format, new ApiError(500, "server_error", "something went wrong"));
        }
    }

    public static APIGatewayProxyResponseEvent render(ErrorFormat format, ApiError error) {
        Map<String, String> headers = new LinkedHashMap<>(error.headers());
        if (error.status() == 401 || error.status() == 400) {
            headers.putIfAbsent("Cache-Control", "no-store");
        }
        return ApiResponse.json(error.status(), format.body(error.status(), error.code(), error.description()), headers);
    }

    /** Maps an AWS SDK failure: throttling is the caller's cue to slow down, the rest is a passing outage. */
    public static ApiError dependencyFailure(String endpoint, SdkException failure) {
        boolean throttled = failure instanceof AwsServiceException service && service.isThrottlingException();
        String service = failure instanceof AwsServiceException e && e.awsErrorDetails() != null
                ? e.awsErrorDetails().serviceName() : "client";
        Log.warn("dependency failure", "endpoint", endpoint, "service", service,
                "exception", failure.getClass().getSimpleName(), "throttled", throttled);
        if (throttled) {
            return new ApiError(429, "temporarily_unavailable", "too many requests, retry later",
                    Map.of("Retry-After", "1"));
        }
        boolean clientSide = failure instanceof SdkClientException;
        return new ApiError(503, "temporarily_unavailable",
                clientSide ? "a dependency could not be reached, retry later" : "service unavailable, retry later",
                Map.of("Retry-After", "2"));
    }
}
