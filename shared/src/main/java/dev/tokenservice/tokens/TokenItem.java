package dev.tokenservice.tokens;

import java.util.List;

/**
 * One row of the tokens table. The key says what it is: "AT#" + jti for an access token, "RT#"/"AC#" +
 * hash for refresh tokens and codes (never the value itself), "RV#" for a revocation record that covers
 * every token of a client, of a subject at a client, or of a subject.
 */
public final class TokenItem {

    private String tokenKey;
    private String kind;
    private String clientId;
    private String subject;
    private String org;
    private String scope;
    private List<String> audience;
    private String session;
    private String grantClientId;
    private String details;
    private String redirectUri;
    private String codeChallenge;
    private Long consumedAt;
    private String decision;
    private Long nextPollAt;
    private Long pollInterval;
    private String nonce;
    private String dpopKey;
    private Long authTime;
    private String userClaims;
    private String sealedValue;
    private String sealedKey;
    private Long issuedAt;
    private Long grantIssuedAt;
    private Long expiresAt;
    private Boolean revoked;
    private Long revokedAt;
    private Long ttl;
    private String expiryShard;
    private String listShard;
    private String subjectShard;
    private String orgShard;
    private String pairShard;
    private String pairByUser;
    private String pairByClient;

    public String getTokenKey() { return tokenKey; }
    public void setTokenKey(String tokenKey) { this.tokenKey = tokenKey; }
    public String getKind() { return kind; }
    public void setKind(String kind) { this.kind = kind; }
    public String getClientId() { return clientId; }
    public void setClientId(String clientId) { this.clientId = clientId; }
    public String getSubject() { return subject; }
    public void setSubject(String subject) { this.subject = subject; }
    public String getOrg() { return org; }
    public void setOrg(String org) { this.org = org; }
    public String getScope() { return scope; }
    public void setScope(String scope) { this.scope = scope; }
    public List<String> getAudience() { return audience; }
    public void setAudience(List<String> audience) { this.audience = audience; }
    /** The session (token family): tokens that one grant or login produced, revoked together. */
    public String getSession() { return session; }
    public void setSession(String session) { this.session = session; }
    /** For an exchanged access token: the client whose grant it descends from, when another than its own. */
    public String getGrantClientId() { return grantClientId; }
    public void setGrantClientId(String grantClientId) { this.grantClientId = grantClientId; }
    /** API-specific extras as JSON (Agilicus roles, hosts, token validity), kept opaque here. */
    public String getDetails() { return details; }
    public void setDetails(String details) { this.details = details; }
    /** For an authorization code: the redirect_uri of its authorization request. */
    public String getRedirectUri() { return redirectUri; }
    public void setRedirectUri(String redirectUri) { this.redirectUri = redirectUri; }
    /** For an authorization code: the PKCE S256 challenge. */
    public String getCodeChallenge() { return codeChallenge; }
    public void setCodeChallenge(String codeChallenge) { this.codeChallenge = codeChallenge; }
    /** For an authorization code: the OpenID Connect nonce of its request, returned in the ID token. */
    public String getNonce() { return nonce; }
    public void setNonce(String nonce) { this.nonce = nonce; }
    /**
     * For a refresh token of a public client that asked with a DPoP proof: the thumbprint of the proof's key (RFC
     * 9449 §5), whose proof every refresh must carry.
     */
    public String getDpopKey() { return dpopKey; }
    public void setDpopKey(String dpopKey) { this.dpopKey = dpopKey; }
    /** For a code or refresh token: when the user signed in (epoch seconds, the session's auth_time). */
    public Long getAuthTime() { return authTime; }
    public void setAuthTime(Long authTime) { this.authTime = authTime; }
    /**
     * For a code, refresh token or access token of a user: what the session told of the person that the grant's
     * scopes release (amr, acr, standard claims) as JSON, served by the ID token and userinfo; null when nothing.
     */
    public String getUserClaims() { return userClaims; }
    public void setUserClaims(String userClaims) { this.userClaims = userClaims; }
    /** Epoch milliseconds at which a single-use value (code, refresh token) was used; set once, conditionally. */
    public Long getConsumedAt() { return consumedAt; }
    public void setConsumedAt(Long consumedAt) { this.consumedAt = consumedAt; }
    /** For a device code (RFC 8628): the user's answer on the verification page, approved or denied; null while pending. */
    public String getDecision() { return decision; }
    public void setDecision(String decision) { this.decision = decision; }
    /** For a device code: the epoch millisecond before which a poll is answered slow_down. */
    public Long getNextPollAt() { return nextPollAt; }
    public void setNextPollAt(Long nextPollAt) { this.nextPollAt = nextPollAt; }
    /** For a device code: the seconds its client must wait between polls, grown by each slow_down. */
    public Long getPollInterval() { return pollInterval; }
    public void setPollInterval(Long pollInterval) { this.pollInterval = pollInterval; }
    /** The token's header.payload, envelope-encrypted (base64), for APIs that must hand a stored token back. */
    public String getSealedValue() { return sealedValue; }
    public void setSealedValue(String sealedValue) { this.sealedValue = sealedValue; }
    /** The data key that sealed the value, itself encrypted by KMS (base64). */
    public String getSealedKey() { return sealedKey; }
    public void setSealedKey(String sealedKey) { this.sealedKey = sealedKey; }
    /** Epoch milliseconds, finer than the JWT's iat so that a revocation cut-off is exact. */
    public Long getIssuedAt() { return issuedAt; }
    public void setIssuedAt(Long issuedAt) { this.issuedAt = issuedAt; }
    /**
     * For a token issued from another one (a refresh, a code redemption, an Agilicus reissue): epoch milliseconds
     * at which the grant it descends from was issued (the code's issue time), handed down unchanged.
     */
    public Long getGrantIssuedAt() { return grantIssuedAt; }
    public void setGrantIssuedAt(Long grantIssuedAt) { this.grantIssuedAt = grantIssuedAt; }

    /**
     * What a revocation record's cut-off is compared with: when the token's grant was issued, or, for a token
     * that is a grant of its own, its issue time; null when unknown. A record that covers a grant thus covers
     * every token refreshed from it, however late the refresh ran: a refresh racing the record cannot stamp
     * its family past the cut-off (each new token would otherwise be issued after the record's stamp).
     */
    public Long grantStart() { return grantIssuedAt != null ? grantIssuedAt : issuedAt; }
    /** Epoch seconds, as in the JWT's exp. */
    public Long getExpiresAt() { return expiresAt; }
    public void setExpiresAt(Long expiresAt) { this.expiresAt = expiresAt; }
    public Boolean getRevoked() { return revoked; }
    public void setRevoked(Boolean revoked) { this.revoked = revoked; }
    /** For a revocation record: every covered token issued at or before this epoch millisecond is revoked. */
    public Long getRevokedAt() { return revokedAt; }
    public void setRevokedAt(Long revokedAt) { this.revokedAt = revokedAt; }
    /** Epoch seconds after which DynamoDB's TTL may delete the row. */
    public Long getTtl() { return ttl; }
    public void setTtl(Long ttl) { this.ttl = ttl; }
    /** Partition of the expiry index: the expiry day plus a shard, so that no day is one hot partition. */
    public String getExpiryShard() { return expiryShard; }
    public void setExpiryShard(String expiryShard) { this.expiryShard = expiryShard; }
    /** Partition of the listing index over every access token (TokenKeys.listShard), so no list is a Scan. */
    public String getListShard() { return listShard; }
    public void setListShard(String listShard) { this.listShard = listShard; }

    /** Partition of the subject index: the subject and a shard (TokenKeys.subjectShard). */
    public String getSubjectShard() { return subjectShard; }
    public void setSubjectShard(String subjectShard) { this.subjectShard = subjectShard; }
    /** Partition of the org index, for tokens issued for an organisation (TokenKeys.orgShard). */
    public String getOrgShard() { return orgShard; }
    public void setOrgShard(String orgShard) { this.orgShard = orgShard; }
    /** For a pair record: partition of the two pair indexes (TokenKeys.pairShard). */
    public String getPairShard() { return pairShard; }
    public void setPairShard(String pairShard) { this.pairShard = pairShard; }
    /** For a pair record: sort key of the pair-user index. */
    public String getPairByUser() { return pairByUser; }
    public void setPairByUser(String pairByUser) { this.pairByUser = pairByUser; }
    /** For a pair record: sort key of the pair-client index. */
    public String getPairByClient() { return pairByClient; }
    public void setPairByClient(String pairByClient) { this.pairByClient = pairByClient; }

    public boolean isRevoked() {
        return Boolean.TRUE.equals(revoked);
    }
}
