package dev.tokenservice.tokens;

/** Partition keys of the tokens table; one place so that writers and the verifier agree. */
public final class TokenKeys {

    public static final String ACCESS_TOKEN = "AT";
    public static final String REVOCATION = "RV";
    public static final String AUTHORIZATION_CODE = "AC";
    public static final String REFRESH_TOKEN = "RT";
    /** Access tokens spread over this many partitions of the listing index (write rate, not size, sets it). */
    public static final int LIST_SHARDS = 8;
    public static final String HOUSEKEEPING = "HK";

    private TokenKeys() {
    }

    public static String accessToken(String jti) {
        return "AT#" + jti;
    }

    /** Every token of the client issued up to the record's revoked_at. */
    public static String clientRevocation(String clientId) {
        return "RV#CLIENT#" + clientId;
    }

    /** Every token of one subject at one client (consent revoked, Knetik delete by both). */
    public static String subjectAtClientRevocation(String clientId, String subject) {
        return "RV#SUBCLIENT#" + clientId + "#" + subject;
    }

    /** Every token of one session (token family): refresh-token reuse, Agilicus all_sessions. */
    public static String sessionRevocation(String session) {
        return "RV#SESSION#" + session;
    }

    /** An authorization code, by the SHA-256 of its value (never the value). */
    /**
     * Every revocation record that could cover a token of this client, subject and session: the client's, the
     * subject's at the client (consent revoked), the subject's, and the session's when there is one.
     */
    public static java.util.List<String> revocationRecords(String clientId, String subject, String session) {
        return session == null
                ? java.util.List.of(clientRevocation(clientId), subjectAtClientRevocation(clientId, subject),
                        subjectRevocation(subject))
                : java.util.List.of(clientRevocation(clientId), subjectAtClientRevocation(clientId, subject),
                        subjectRevocation(subject), sessionRevocation(session));
    }

    public static String authorizationCode(String codeHash) {
        return "AC#" + codeHash;
    }

    /** A refresh token, by the SHA-256 of its value (never the value). */
    public static String refreshToken(String tokenHash) {
        return "RT#" + tokenHash;
    }

    /** Every token of one subject at any client (Knetik delete by username). */
    public static String subjectRevocation(String subject) {
        return "RV#SUB#" + subject;
    }

    /** The listing-index partition of an access token: "AT#0" .. "AT#7", by its jti. */
    public static String listShard(String jti) {
        return listShard(Math.floorMod(jti.hashCode(), LIST_SHARDS));
    }

    public static String listShard(int shard) {
        return "AT#" + shard;
    }

    /** A task for the scheduled cleanup: remove whatever consents of a deleted client are left. */
    public static String consentCleanup(String clientId) {
        return "HK#CONSENTS#" + clientId;
    }
}
