package dev.tokenservice.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

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
        } catch (RuntimeException failure) {
            // An SDK failure may arrive wrapped (a signing thread's CompletionException, a library's own type).
            SdkException sdkFailure = sdkCause(failure);
            if (sdkFailure != null) {
                return render(format, dependencyFailure(name, sdkFailure));
            }
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

    /**
     * Maps an AWS SDK failure. Throttling (also a transaction cancelled for throttling) is the caller's cue to
     * slow down: 429. A passing outage (a 5xx from the service, a timeout, an unreachable endpoint, a write
     * conflict) is 503. Both carry Retry-After. An item over DynamoDB's size limit is the caller's: 400. Any
     * other refusal (access denied, a missing table, a disabled key) is this deployment's fault and no retry
     * helps: 500, logged as an error.
     */
    public static ApiError dependencyFailure(String endpoint, SdkException failure) {
        AwsServiceException service = failure instanceof AwsServiceException e ? e : null;
        String serviceName = service != null && service.awsErrorDetails() != null
                ? service.awsErrorDetails().serviceName() : "client";
        String errorCode = service != null && service.awsErrorDetails() != null
                ? service.awsErrorDetails().errorCode() : null;
        String cancellation = cancellationReasons(failure);
        boolean throttled = service != null && (service.isThrottlingException()
                || cancellation.contains("Throttling") || cancellation.contains("ProvisionedThroughputExceeded")
                || cancellation.contains("RequestLimitExceeded"));
        boolean transientFailure = service == null || service.statusCode() >= 500
                || cancellation.contains("TransactionConflict");
        Object[] fields = {"endpoint", endpoint, "service", serviceName,
                "exception", failure.getClass().getSimpleName(), "error_code", errorCode,
                "status", service == null ? null : service.statusCode(), "throttled", throttled};
        if (throttled) {
            Log.warn("dependency throttled", fields);
            return new ApiError(429, "temporarily_unavailable", "too many requests, retry later",
                    Map.of("Retry-After", "1"));
        }
        if (transientFailure) {
            Log.warn("dependency unavailable", fields);
            return new ApiError(503, "temporarily_unavailable",
                    service == null ? "a dependency could not be reached, retry later" : "service unavailable, retry later",
                    Map.of("Retry-After", "2"));
        }
        if (tooLargeToStore(errorCode, service)) {
            // A request whose stored form passes DynamoDB's 400 KB item limit: the field limits are meant to stop
            // it first (a warning says one is missing); nothing was written, and the caller can send less.
            Log.warn("request too large to store", fields);
            return new ApiError(400, "invalid_request",
                    "the request is too large: what it would store passes DynamoDB's 400 KB item limit");
        }
        Log.error("dependency refused the call", fields);
        return new ApiError(500, "server_error", "something went wrong");
    }

    /** DynamoDB's refusal of an item over its size limit (a ValidationException, "exceeded the maximum allowed size"). */
    private static boolean tooLargeToStore(String errorCode, AwsServiceException service) {
        return "ValidationException".equals(errorCode) && service.awsErrorDetails().errorMessage() != null
                && service.awsErrorDetails().errorMessage().contains("exceeded the maximum allowed size");
    }

    /** The SDK failure at the root of a failure, or null when there is none. */
    static SdkException sdkCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SdkException sdk) {
                return sdk;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static String cancellationReasons(SdkException failure) {
        if (failure instanceof TransactionCanceledException cancelled && cancelled.hasCancellationReasons()) {
            StringBuilder codes = new StringBuilder();
            cancelled.cancellationReasons().forEach(reason -> codes.append(reason.code()).append(' '));
            return codes.toString();
        }
        return "";
    }
}
