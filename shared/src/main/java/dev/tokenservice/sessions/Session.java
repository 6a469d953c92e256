package dev.tokenservice.sessions;

/**
 * A person signed in to this service's browser-facing routes: the subject a login front end authenticated, when
 * (auth_time, epoch seconds), which front end vouched for it, the session's own id (the OpenID sid that its codes
 * and tokens carry) and when the session credential was minted (epoch seconds).
 */
public record Session(String subject, String sessionId, String frontEnd, long authTime, long issuedAt,
        UserClaims claims) {

    /** How a page addresses the person: their name or preferred_username, else the subject. */
    public String displayName() {
        String name = claims.displayName();
        return name == null ? subject : name;
    }
}
