package dev.tokenservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenservice.dpop.DpopProof;
import dev.tokenservice.dpop.DpopProofs;
import dev.tokenservice.dpop.DpopRefused;
import dev.tokenservice.http.ApiError;
import dev.tokenservice.http.ApiRequest;
import dev.tokenservice.signing.SigningKeys;
import dev.tokenservice.storage.BatchLookup;
import dev.tokenservice.tokens.AccessTokenIssuer;
import dev.tokenservice.tokens.TokenRepository;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates callers of protected endpoints. The token is checked locally first (signature against the
 * cached public keys, type, issuer, expiry), so forged or expired tokens cost no I/O; then one strongly
 * consistent read of its row and the revocation records that could cover it decides whether it is live.
 * A token bound to a DPoP key (cnf.jkt) counts only when sent as {@code Authorization: DPoP} with a proof of that
 * key for this request (RFC 9449 §7); a bearer token only as a bearer token.
 */
public final class CallerAuthenticator {

    /** DocSpace SDKs send the token in this cookie instead of the Authorization header. */
    public static final String DOCSPACE_COOKIE = "asc_auth_key";
    private static final long CLOCK_SKEW_SECONDS = 5;

    private static final String DPOP_SCHEME = "DPoP ";

    private final SigningKeys keys;
    private final TokenRepository tokens;
    private final Clock clock;
    private final DpopProofs proofs;

    public CallerAuthenticator(SigningKeys keys, TokenRepository tokens, Clock clock, DpopProofs proofs) {
        this.keys = keys;
        this.tokens = tokens;
        this.clock = clock;
        this.proofs = proofs;
    }

    /** The caller of a protected route of this service: only a token whose audience is the issuer passes. */
    public Caller authenticate(ApiRequest request, String expectedIssuer) {
        return authenticate(request, expectedIssuer, Set.of(expectedIssuer));
    }

    /**
     * The caller of a protected route of this service, whose identities as an audience are given (its issuer URL,
     * and the configured token audience): RFC 9068 §4, a resource server refuses a token meant for another.
     */
    public Caller authenticate(ApiRequest request, String expectedIssuer, Set<String> ownAudiences) {
        Optional<String> dpopToken = dpopToken(request);
        if (dpopToken.isPresent()) {
            JWTClaimsSet claims = verifiedClaims(dpopToken.get(), expectedIssuer);
            String boundKey = boundKey(claims)
                    .orElseThrow(() -> invalidDpop("invalid_token", "the access token is not bound to a DPoP key; send "
                            + "it as a Bearer token"));
            DpopProof proof = proof(request, expectedIssuer, dpopToken.get());
            if (!boundKey.equals(proof.keyThumbprint())) {
                throw invalidDpop("invalid_token", "the DPoP proof is signed by another key than the access token is "
                        + "bound to");
            }
            return liveCaller(claims, ownAudiences);
        }
        String token = bearerToken(request).orElseThrow(() -> new ApiError(401, "invalid_token",
                "a bearer access token is required", Map.of("WWW-Authenticate", "Bearer")));
        return verify(token, expectedIssuer, ownAudiences);
    }

    /** The verified proof of a request that sent its token with the DPoP scheme; 401 invalid_dpop_proof otherwise. */
    private DpopProof proof(ApiRequest request, String expectedIssuer, String token) {
        try {
            return proofs.verify(request, expectedIssuer + request.path(), token)
                    .orElseThrow(() -> invalidDpop("invalid_dpop_proof", "the DPoP header with a proof is required"));
        } catch (DpopRefused refused) {
            throw invalidDpop("invalid_dpop_proof", refused.getMessage());
        }
    }

    /**
     * Verifies an access token for this service: 401 invalid_token unless it is genuine, current, live and meant
     * for one of the given audiences.
     */
    public Caller verify(String token, String expectedIssuer, Set<String> ownAudiences) {
        JWTClaimsSet claims = verifiedClaims(token, expectedIssuer);
        if (boundKey(claims).isPresent()) {
            throw invalidDpop("invalid_token", "the access token is bound to a DPoP key; send it as Authorization: DPoP "
                    + "with a DPoP proof");
        }
        return liveCaller(claims, ownAudiences);
    }

    private Caller liveCaller(JWTClaimsSet claims, Set<String> ownAudiences) {
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(ownAudiences::contains)) {
            throw invalid("the access token is not meant for this service (aud)");
        }
        return pending(claims).liveCaller();
    }

    /**
     * The local half of verifying a token of this service for introspection (signature, type, issuer, validity
     * period, required claims; any audience: no I/O); the stored half reads its rows in a lookup shared with other
     * reads.
     */
    public PendingCheck checkLocally(String token, String expectedIssuer) {
        return pending(verifiedClaims(token, expectedIssuer));
    }

    private PendingCheck pending(JWTClaimsSet claims) {
        String jti = claims.getJWTID();
        String clientId = stringClaim(claims, "client_id");
        String subject = claims.getSubject();
        if (jti == null || clientId == null || subject == null) {
            throw invalid("the access token lacks jti, client_id or sub");
        }
        return new PendingCheck(claims, tokens.accessTokenLookup(jti, clientId, subject, stringClaim(claims, "sid"),
                stringClaim(claims, AccessTokenIssuer.GRANT_CLIENT)));
    }

    /** A live access token of this service: who it speaks for, and its stored row. */
    public record LiveToken(Caller caller, dev.tokenservice.tokens.TokenItem row) {
    }

    /** A genuine token whose stored state is still to be read. */
    public final class PendingCheck {

        private final JWTClaimsSet claims;
        private final TokenRepository.StateLookup state;

        private PendingCheck(JWTClaimsSet claims, TokenRepository.StateLookup state) {
            this.claims = claims;
            this.state = state;
        }

        public void addTo(BatchLookup lookup) {
            state.addTo(lookup);
        }

        /**
         * The caller and the token's row, once its state (read alone) shows the token live, for a grant that builds
         * on the token (its family, its grant's issue time); 401 invalid_token when it was revoked.
         */
        public LiveToken liveToken() {
            TokenRepository.AccessTokenState stored = state.read();
            return new LiveToken(callerIf(stored), stored.token().orElseThrow());
        }

        /** The caller, once its state (read alone) shows the token live; 401 invalid_token when it was revoked. */
        public Caller liveCaller() {
            return callerIf(state.read());
        }

        /** The caller, once the lookup shows the token live; 401 invalid_token when it was revoked. */
        public Caller liveCaller(BatchLookup lookup) {
            return callerIf(state.stateFrom(lookup));
        }

        private Caller callerIf(TokenRepository.AccessTokenState stored) {
            if (!stored.isLive(clock.instant().getEpochSecond())) {
                throw invalid("the access token has been revoked");
            }
            return new Caller(claims.getSubject(), stringClaim(claims, "client_id"), scopes(claims), claims.getJWTID(),
                    claims.getExpirationTime().toInstant().getEpochSecond(), claims,
                    stored.token().map(dev.tokenservice.tokens.TokenItem::getUserClaims).orElse(null));
        }
    }

    /** The key a token is bound to: its cnf.jkt (RFC 9449 §6.1). */
    public static Optional<String> boundKey(JWTClaimsSet claims) {
        try {
            Map<String, Object> confirmation = claims.getJSONObjectClaim(AccessTokenIssuer.CONFIRMATION);
            return confirmation != null && confirmation.get(AccessTokenIssuer.KEY_THUMBPRINT) instanceof String jkt
                    ? Optional.of(jkt) : Optional.empty();
        } catch (ParseException notAnObject) {
            throw invalid("the access token's cnf claim is malformed");
        }
    }

    private static Optional<String> dpopToken(ApiRequest request) {
        return request.header("authorization")
                .filter(value -> value.regionMatches(true, 0, DPOP_SCHEME, 0, DPOP_SCHEME.length()))
                .map(value -> value.substring(DPOP_SCHEME.length()).trim())
                .filter(value -> !value.isEmpty());
    }

    static Optional<String> bearerToken(ApiRequest request) {
        Optional<String> header = request.header("authorization")
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .filter(value -> !value.isEmpty());
        return header.isPresent() ? header : request.cookie(DOCSPACE_COOKIE).filter(value -> !value.isEmpty());
    }

    /**
     * The claims of a genuine, unexpired access token of this issuer, without the stored-state check (for
     * APIs that tell a revoked token from an invalid one); 401 invalid_token naming what is wrong otherwise.
     */
    public JWTClaimsSet verifiedClaims(String token, String expectedIssuer) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!AccessTokenIssuer.AT_JWT.equals(jwt.getHeader().getType())) {
                throw invalid("the token is not an access token (typ at+jwt)");
            }
            JWSVerifier verifier = keys.verifierFor(jwt.getHeader())
                    .orElseThrow(() -> invalid("the token was not signed by a key of this service"));
            if (!jwt.verify(verifier)) {
                throw invalid("the token signature is invalid");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!expectedIssuer.equals(claims.getIssuer())) {
                throw invalid("the token was issued by another issuer");
            }
            long now = clock.instant().getEpochSecond();
            Date exp = claims.getExpirationTime();
            if (exp == null || exp.toInstant().getEpochSecond() <= now) {
                throw invalid("the access token has expired");
            }
            Date iat = claims.getIssueTime();
            Date nbf = claims.getNotBeforeTime();
            if ((iat != null && iat.toInstant().getEpochSecond() > now + CLOCK_SKEW_SECONDS)
                    || (nbf != null && nbf.toInstant().getEpochSecond() > now + CLOCK_SKEW_SECONDS)) {
                throw invalid("the access token is not valid yet");
            }
            return claims;
        } catch (ParseException | JOSEException | IllegalStateException malformed) {
            throw invalid("the access token is malformed");
        }
    }

    private static Set<String> scopes(JWTClaimsSet claims) {
        String scope = stringClaim(claims, "scope");
        Set<String> scopes = new LinkedHashSet<>();
        if (scope != null) {
            for (String s : scope.split(" ")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
        }
        return Set.copyOf(scopes);
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String s ? s : null;
    }

    /** RFC 9449 §7.1: the DPoP challenge, with the algorithms a proof may use. */
    private static ApiError invalidDpop(String error, String description) {
        String algorithms = String.join(" ", DpopProofs.ALGORITHMS.stream().map(Object::toString).toList());
        return new ApiError(401, error, description, Map.of("WWW-Authenticate", "DPoP error=\"" + error
                + "\", error_description=\"" + description + "\", algs=\"" + algorithms + "\""));
    }

    private static ApiError invalid(String description) {
        return new ApiError(401, "invalid_token", description,
                Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" + description + "\""));
    }
}
