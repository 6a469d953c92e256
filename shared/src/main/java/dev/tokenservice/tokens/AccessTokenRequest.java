package dev.tokenservice.tokens;

import java.time.Duration;
import java.util.List;

/** What a grant decided to issue: who the token is about, for which client, with which scopes and audience. */
public record AccessTokenRequest(
        String issuer, String subject, String clientId, List<String> scopes, List<String> audience, Duration ttl) {

    public String scopeString() {
        return String.join(" ", scopes);
    }
}
