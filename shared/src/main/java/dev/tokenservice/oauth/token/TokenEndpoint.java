package dev.tokenservice.oauth.token;

import dev.tokenservice.dpop.DpopNonces;
import dev.tokenservice.dpop.DpopProof;
import dev.tokenservice.dpop.DpopProofs;
import dev.tokenservice.dpop.DpopRefused;
import dev.tokenservice.oauth.OAuthErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * POST /oauth2/token: checks the request's DPoP proof, if any (whose key the tokens are then bound to), and
 * dispatches on grant_type to the grant that handles it.
 */
public final class TokenEndpoint {

    private final Map<String, Grant> grants = new LinkedHashMap<>();
    private final DpopProofs proofs;

    /** @param grants every grant this service supports, each built here (in the init phase of its function) */
    public TokenEndpoint(List<Grant.Supported> grants, DpopProofs proofs) {
        this.proofs = proofs;
        for (Grant.Supported supported : grants) {
            Grant grant = supported.build().get();
            if (!grant.grantType().equals(supported.grantType())) {
                throw new IllegalStateException("the grant listed as " + supported.grantType() + " is "
                        + grant.grantType());
            }
            if (this.grants.put(grant.grantType(), grant) != null) {
                throw new IllegalStateException("the grant " + grant.grantType() + " is listed twice");
            }
        }
    }

    public TokenResponse exchange(TokenRequest request, String issuerUrl) {
        String grantType = request.required("grant_type");
        Grant grant = grants.get(grantType);
        if (grant == null) {
            throw OAuthErrors.unsupportedGrantType("the grant type " + grantType + " is not supported");
        }
        return grant.exchange(request.withProof(verifiedProof(proofs, request, issuerUrl)), issuerUrl);
    }

    /** The nonce to send beside every answer when proofs must carry one (RFC 9449 §8); empty otherwise. */
    public Optional<String> currentNonce() {
        return proofs.nonces().map(DpopNonces::current);
    }

    /**
     * The request's DPoP proof, verified for its method and this endpoint's URI (empty without one); the token
     * endpoint's errors otherwise: use_dpop_nonce with the nonce to use, or invalid_dpop_proof (RFC 9449 §5, §8).
     * The pushed authorization request endpoint checks its proofs the same way (RFC 9449 §10.1).
     */
    public static Optional<DpopProof> verifiedProof(DpopProofs proofs, TokenRequest request, String issuerUrl) {
        try {
            return proofs.verify(request.http(), issuerUrl + request.http().path(), null);
        } catch (DpopRefused refused) {
            if (refused.nonceNeeded()) {
                throw OAuthErrors.useDpopNonce(refused.getMessage(),
                        proofs.nonces().map(DpopNonces::current).orElseThrow());
            }
            throw OAuthErrors.invalidDpopProof(refused.getMessage());
        }
    }
}
