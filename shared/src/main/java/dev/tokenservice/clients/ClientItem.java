package dev.tokenservice.clients;

import java.util.List;

/**
 * One row of the clients table: the DocSpace ClientResponse fields plus what the server needs to decide
 * access (secret hash, grant types, enabled, owner, optimistic-lock version).
 */
public final class ClientItem {

    private String clientId;
    private String secretHash;
    private String name;
    private String description;
    private String logo;
    private String websiteUrl;
    private String termsUrl;
    private String policyUrl;
    private List<String> redirectUris;
    private List<String> allowedOrigins;
    private List<String> logoutRedirectUris;
    private List<String> scopes;
    private List<String> authenticationMethods;
    private List<String> grantTypes;
    private Long tenant;
    private Boolean isPublic;
    private Boolean enabled;
    private String createdOn;
    private String createdBy;
    private String modifiedOn;
    private String modifiedBy;
    private Long version;
    /** RFC 8707: the resources (token audiences) the client may ask for besides this service; null: none. */
    private List<String> resources;
    /** RFC 9126: the client's authorization requests must come through the pushed request endpoint. */
    private Boolean requirePushedAuthorizationRequests;
    private Boolean dpopBoundAccessTokens;
    private String jwks;
    private String jwksUri;
    private String secretCreatedOn;
    private String previousSecretHash;
    private String previousSecretCreatedOn;
    private Long previousSecretExpiresAt;

    public String getClientId() { return clientId; }
    public void setClientId(String clientId) { this.clientId = clientId; }
    public String getSecretHash() { return secretHash; }
    public void setSecretHash(String secretHash) { this.secretHash = secretHash; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getLogo() { return logo; }
    public void setLogo(String logo) { this.logo = logo; }
    public String getWebsiteUrl() { return websiteUrl; }
    public void setWebsiteUrl(String websiteUrl) { this.websiteUrl = websiteUrl; }
    public String getTermsUrl() { return termsUrl; }
    public void setTermsUrl(String termsUrl) { this.termsUrl = termsUrl; }
    public String getPolicyUrl() { return policyUrl; }
    public void setPolicyUrl(String policyUrl) { this.policyUrl = policyUrl; }
    public List<String> getRedirectUris() { return redirectUris; }
    public void setRedirectUris(List<String> redirectUris) { this.redirectUris = redirectUris; }
    public List<String> getAllowedOrigins() { return allowedOrigins; }
    public void setAllowedOrigins(List<String> allowedOrigins) { this.allowedOrigins = allowedOrigins; }
    public List<String> getLogoutRedirectUris() { return logoutRedirectUris; }
    public void setLogoutRedirectUris(List<String> logoutRedirectUris) { this.logoutRedirectUris = logoutRedirectUris; }
    public List<String> getScopes() { return scopes; }
    public void setScopes(List<String> scopes) { this.scopes = scopes; }
    public List<String> getAuthenticationMethods() { return authenticationMethods; }
    public void setAuthenticationMethods(List<String> methods) { this.authenticationMethods = methods; }
    public List<String> getGrantTypes() { return grantTypes; }
    public void setGrantTypes(List<String> grantTypes) { this.grantTypes = grantTypes; }
    public Long getTenant() { return tenant; }
    public void setTenant(Long tenant) { this.tenant = tenant; }
    public Boolean getIsPublic() { return isPublic; }
    public void setIsPublic(Boolean isPublic) { this.isPublic = isPublic; }
    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public String getCreatedOn() { return createdOn; }
    public void setCreatedOn(String createdOn) { this.createdOn = createdOn; }
    public String getCreatedBy() { return createdBy; }
    public void setCreatedBy(String createdBy) { this.createdBy = createdBy; }
    public String getModifiedOn() { return modifiedOn; }
    public void setModifiedOn(String modifiedOn) { this.modifiedOn = modifiedOn; }
    public String getModifiedBy() { return modifiedBy; }
    public void setModifiedBy(String modifiedBy) { this.modifiedBy = modifiedBy; }
    public Long getVersion() { return version; }
    public void setVersion(Long version) { this.version = version; }
    public List<String> getResources() { return resources; }
    public void setResources(List<String> resources) { this.resources = resources; }
    public Boolean getRequirePushedAuthorizationRequests() { return requirePushedAuthorizationRequests; }
    public void setRequirePushedAuthorizationRequests(Boolean require) { this.requirePushedAuthorizationRequests = require; }
    /** RFC 9449 §5.2 dpop_bound_access_tokens: every token request of the client must carry a DPoP proof. */
    public Boolean getDpopBoundAccessTokens() { return dpopBoundAccessTokens; }
    public void setDpopBoundAccessTokens(Boolean bound) { this.dpopBoundAccessTokens = bound; }

    /** The client's public keys (a JWKS document) for private_key_jwt, when registered inline. */
    public String getJwks() { return jwks; }
    public void setJwks(String jwks) { this.jwks = jwks; }
    /** Where the client publishes its JWKS for private_key_jwt, when not registered inline. */
    public String getJwksUri() { return jwksUri; }
    public void setJwksUri(String jwksUri) { this.jwksUri = jwksUri; }
    /** When the current secret was set (null for rows older than secret rotation). */
    public String getSecretCreatedOn() { return secretCreatedOn; }
    public void setSecretCreatedOn(String secretCreatedOn) { this.secretCreatedOn = secretCreatedOn; }
    /** The hash of the secret a rotation replaced, valid until {@link #getPreviousSecretExpiresAt}. */
    public String getPreviousSecretHash() { return previousSecretHash; }
    public void setPreviousSecretHash(String previousSecretHash) { this.previousSecretHash = previousSecretHash; }
    public String getPreviousSecretCreatedOn() { return previousSecretCreatedOn; }
    public void setPreviousSecretCreatedOn(String createdOn) { this.previousSecretCreatedOn = createdOn; }
    /** Epoch second after which the previous secret no longer authenticates. */
    public Long getPreviousSecretExpiresAt() { return previousSecretExpiresAt; }
    public void setPreviousSecretExpiresAt(Long expiresAt) { this.previousSecretExpiresAt = expiresAt; }

    public boolean isEnabled() {
        return Boolean.TRUE.equals(enabled);
    }

    public boolean allowsGrant(String grantType) {
        return grantTypes != null && grantTypes.contains(grantType);
    }

    public boolean allowsAuthenticationMethod(String method) {
        return authenticationMethods != null && authenticationMethods.contains(method);
    }

    /** Registered to authenticate with a signed assertion (RFC 7523 §2.2) instead of a secret. */
    public boolean usesPrivateKeyJwt() {
        return allowsAuthenticationMethod(ClientAuthMethods.PRIVATE_KEY_JWT);
    }

    /**
     * Whether a secret may authenticate this client: registered for a secret method, or registered before methods
     * were recorded.
     */
    public boolean usesSecret() {
        return authenticationMethods == null || allowsAuthenticationMethod(ClientAuthMethods.SECRET_BASIC)
                || allowsAuthenticationMethod(ClientAuthMethods.SECRET_POST);
    }

    /** Whether a previous secret exists and its overlap has not ended by the clock (TTL plays no part). */
    public boolean previousSecretLiveAt(java.time.Instant now) {
        return previousSecretHash != null && previousSecretExpiresAt != null
                && now.getEpochSecond() < previousSecretExpiresAt;
    }

    public List<String> scopesOrEmpty() {
        return scopes == null ? List.of() : scopes;
    }
}
