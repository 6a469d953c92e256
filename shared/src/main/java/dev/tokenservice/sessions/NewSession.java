package dev.tokenservice.sessions;

import dev.tokenservice.http.FieldRules;
import dev.tokenservice.http.JsonBody;
import java.time.Duration;
import java.time.Instant;

/**
 * A login front end's request for a session (POST /oauth2/sessions): whom it signed in (sub), when (auth_time,
 * at most a day back and never ahead of now), and optionally amr, acr and the person's standard claims.
 */
public record NewSession(String subject, Long authTime, UserClaims claims) {

    /** A front end that vouches for a sign-in older than this is replaying it, not reporting it. */
    static final Duration OLDEST_AUTH_TIME = Duration.ofDays(1);
    private static final long CLOCK_SKEW_SECONDS = 5;

    public static NewSession parse(JsonBody body, Instant now) {
        String subject = body.string("sub").orElseThrow(() -> JsonBody.invalid("sub: required"));
        FieldRules.identifier("sub", subject);
        if (FieldRules.blank(subject)) {
            throw JsonBody.invalid("sub: must not be blank");
        }
        Long authTime = body.integer("auth_time").orElse(null);
        if (authTime != null && (authTime > now.getEpochSecond() + CLOCK_SKEW_SECONDS
                || authTime < now.minus(OLDEST_AUTH_TIME).getEpochSecond())) {
            throw JsonBody.invalid("auth_time: must be the time the person signed in (epoch seconds), "
                    + "within the last day and not in the future");
        }
        return new NewSession(subject, authTime, UserClaims.parse(body));
    }
}
