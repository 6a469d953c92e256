package dev.tokenservice.oauth;

import dev.tokenservice.http.ApiError;
import java.util.Map;

/** The RFC 6749 §5.2 errors of the token endpoint. */
public final class OAuthErrors {

    private OAuthErrors() {
    }

    public static ApiError invalidRequest(String description) {
        return new ApiError(400, "invalid_request", description);
    }

    /** 401 with a challenge for the scheme the client tried (RFC 6749 §5.2). */
    public static ApiError invalidClient(String description, boolean usedBasic) {
        return new ApiError(401, "invalid_client", description,
                usedBasic ? Map.of("WWW-Authenticate", "Basic realm=\"token-service\", charset=\"UTF-8\"") : Map.of());
    }

    public static ApiError unauthorizedClient(String description) {
        return new ApiError(400, "unauthorized_client", description);
    }

    public static ApiError unsupportedGrantType(String description) {
        return new ApiError(400, "unsupported_grant_type", description);
    }

    public static ApiError invalidGrant(String description) {
        return new ApiError(400, "invalid_grant", description);
    }

    /** RFC 9449 §5: the request's DPoP proof is not acceptable. */
    public static ApiError invalidDpopProof(String description) {
        return new ApiError(400, "invalid_dpop_proof", description);
    }

    /** RFC 9449 §8: the proof must carry this server's nonce, given in the DPoP-Nonce header. */
    public static ApiError useDpopNonce(String description, String nonce) {
        return new ApiError(400, "use_dpop_nonce", description, Map.of("DPoP-Nonce", nonce));
    }

    public static ApiError invalidScope(String description) {
        return new ApiError(400, "invalid_scope", description);
    }

    /** RFC 8707 §2: a resource (or RFC 8693 audience) that is malformed or that the client may not ask for. */
    public static ApiError invalidTarget(String description) {
        return new ApiError(400, "invalid_target", description);
    }

    /** RFC 8628 §3.5: the user has not yet answered on the verification page; poll again after the interval. */
    public static ApiError authorizationPending(String description) {
        return new ApiError(400, "authorization_pending", description);
    }

    /** RFC 8628 §3.5: polled sooner than the interval allows; the interval grows by 5 seconds. */
    public static ApiError slowDown(String description) {
        return new ApiError(400, "slow_down", description);
    }

    /** RFC 8628 §3.5: the device code has expired; the device must start again. */
    public static ApiError expiredToken(String description) {
        return new ApiError(400, "expired_token", description);
    }

    /** RFC 8628 §3.5: the user denied the device's request. */
    public static ApiError accessDenied(String description) {
        return new ApiError(400, "access_denied", description);
    }
}
