package dev.tokenservice.broker;

/**
 * Why a sign-in through the upstream failed, as the person is told it: what failed, never a secret or a token.
 * Every failure ends the attempt without a session; the person starts again from the application.
 */
public final class SignInFailure extends RuntimeException {

    /** What failed; the name goes to the log, the text to the page. */
    public enum Reason {
        NOT_CONFIGURED("signing in through an identity provider is not configured here"),
        START_LINK_INVALID("the sign-in link is not genuine or has expired"),
        SIGN_OUT_LINK_INVALID("the way back from signing out at the identity provider is not genuine or has expired"),
        UPSTREAM_UNREACHABLE("the identity provider could not be reached (it did not answer in time)"),
        DISCOVERY_UNAVAILABLE("the identity provider's configuration (discovery document) could not be read"),
        JWKS_UNAVAILABLE("the identity provider's signing keys (JWKS) could not be read"),
        UPSTREAM_ERROR("the identity provider refused the sign-in"),
        TOKEN_EXCHANGE_FAILED("the identity provider did not exchange the sign-in for tokens"),
        NO_SIGN_IN_STARTED("no sign-in was started in this browser, or it took too long (the callback came to another"
                + " browser, or its sign-in cookie expired)"),
        STATE_MISMATCH("the answer of the identity provider belongs to another sign-in than the one this browser started"),
        REPLAYED("this sign-in answer was already used"),
        ID_TOKEN_MALFORMED("the identity provider's ID token could not be read"),
        ALGORITHM_REFUSED("the identity provider's ID token is signed with an algorithm that is not accepted"),
        BAD_SIGNATURE("the identity provider's ID token does not carry a valid signature"),
        WRONG_ISSUER("the ID token was issued by another identity provider than the one configured"),
        WRONG_AUDIENCE("the ID token was issued for another application"),
        EXPIRED("the ID token has expired or is not valid yet"),
        NONCE_MISMATCH("the ID token was issued for another sign-in (nonce)"),
        AT_HASH_MISMATCH("the ID token does not match the access token issued with it (at_hash)"),
        SUBJECT_MISSING("the identity provider did not say who signed in (the subject claim is missing or unusable)");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Reason reason;
    private final String detail;

    public SignInFailure(Reason reason, String detail) {
        super(reason.name() + (detail == null ? "" : ": " + detail), null, false, false);
        this.reason = reason;
        this.detail = detail;
    }

    public SignInFailure(Reason reason) {
        this(reason, null);
    }

    public Reason reason() {
        return reason;
    }

    /** A fact for the page and the log (an error code, a claim name); never a secret or a token. */
    public String detail() {
        return detail;
    }
}
