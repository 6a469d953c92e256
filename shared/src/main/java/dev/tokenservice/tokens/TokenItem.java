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
    private String familyId;
    private Long issuedAt;
    private Long expiresAt;
    private Boolean revoked;
    private Long revokedAt;
    private Long ttl;
    private String expiryShard;

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
    public String getSession() { return session; }
    public void setSession(String session) { this.session = session; }
    public String getFamilyId() { return familyId; }
    public void setFamilyId(String familyId) { this.familyId = familyId; }
    /** Epoch milliseconds, finer than the JWT's iat so that a revocation cut-off is exact. */
    public Long getIssuedAt() { return issuedAt; }
    public void setIssuedAt(Long issuedAt) { this.issuedAt = issuedAt; }
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

    public boolean isRevoked() {
        return Boolean.TRUE.equals(revoked);
    }
}
