package dev.tokenservice.consents;

/** One row of the consents table: a principal's grant of scopes to a client. */
public final class ConsentItem {

    private String clientId;
    private String principal;
    private String scopes;
    private String modifiedAt;

    public String getClientId() { return clientId; }
    public void setClientId(String clientId) { this.clientId = clientId; }
    public String getPrincipal() { return principal; }
    public void setPrincipal(String principal) { this.principal = principal; }
    /** Space-separated, as DocSpace's ConsentResponse carries them. */
    public String getScopes() { return scopes; }
    public void setScopes(String scopes) { this.scopes = scopes; }
    public String getModifiedAt() { return modifiedAt; }
    public void setModifiedAt(String modifiedAt) { this.modifiedAt = modifiedAt; }
}
