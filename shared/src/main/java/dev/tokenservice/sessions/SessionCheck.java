package dev.tokenservice.sessions;

import java.util.Optional;

/** What the browser's session cookie proved: a live session, or why there is none (shown to the person). */
public record SessionCheck(Optional<Session> session, String refusal) {

    public static SessionCheck none() {
        return new SessionCheck(Optional.empty(), null);
    }

    public static SessionCheck refused(String why) {
        return new SessionCheck(Optional.empty(), why);
    }

    public static SessionCheck of(Session session) {
        return new SessionCheck(Optional.of(session), null);
    }
}
