package dev.tokenservice.tokens;

/** Partition keys of the tokens table; one place so that writers and the verifier agree. */
public final class TokenKeys {

    public static final String ACCESS_TOKEN = "AT";
    public static final String REVOCATION = "RV";
    public static final String AUTHORIZATION_CODE = "AC";
    public static final String REFRESH_TOKEN = "RT";
    /** A (subject, client) pair that holds or held a token: what a Knetik list pages through. */
    public static final String TOKEN_PAIR = "KP";
    /**
     * Every sharded index partition key (listing, subject, pairs) is spread over this many partitions. Write rate
     * sets it: DynamoDB takes about 1,000 write units per second per partition, so one client sending API Gateway's
     * default 10,000 requests/s needs more than 10; 16 leaves each partition at most about 625 entries/s.
     */
    public static final int SHARDS = 16;
    /** Kept for readers of the listing index; the same number as every other sharded index. */
    public static final int LIST_SHARDS = SHARDS;
    public static final String HOUSEKEEPING = "HK";
    /** A DPoP proof seen once (RFC 9449 §11.1): a second proof with its key and jti is a replay. */
    public static final String DPOP_PROOF = "DP";
    /** A pushed authorization request (RFC 9126), by the SHA-256 of its request_uri's random part. */
    public static final String PUSHED_REQUEST = "PR";
    /** An upstream sign-in's state, recorded when its callback is used, so that a replayed callback fails. */
    public static final String UPSTREAM_SIGN_IN = "US";

    /** A device authorization (RFC 8628), by the SHA-256 of its device_code: the grant's state until redeemed. */
    public static final String DEVICE_CODE = "DC";
    /** A device authorization's user code, by its keyed hash: points the verification page at the device code. */
    public static final String USER_CODE = "UC";

    private TokenKeys() {
    }

    /** The record of a DPoP proof, by a hash of its key's thumbprint and its jti. */
    public static String dpopProof(String proofHash) {
        return "DP#" + proofHash;
    }

    /** An upstream sign-in's state record, by its one-time id. */
    public static String upstreamSignIn(String jti) {
        return UPSTREAM_SIGN_IN + "#" + jti;
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
        return revocationRecords(clientId, subject, session, null);
    }

    /**
     * As above, for a token that descends from a grant made to another client (a token exchange): that client's
     * record and the subject's at that client cover it too.
     */
    public static java.util.List<String> revocationRecords(String clientId, String subject, String session,
            String grantClientId) {
        java.util.List<String> keys = new java.util.ArrayList<>(java.util.List.of(clientRevocation(clientId),
                subjectAtClientRevocation(clientId, subject), subjectRevocation(subject)));
        if (session != null) {
            keys.add(sessionRevocation(session));
        }
        if (grantClientId != null && !grantClientId.equals(clientId)) {
            keys.add(clientRevocation(grantClientId));
            keys.add(subjectAtClientRevocation(grantClientId, subject));
        }
        return java.util.List.copyOf(keys);
    }

    public static String pushedRequest(String valueHash) {
        return "PR#" + valueHash;
    }

    public static String deviceCode(String codeHash) {
        return DEVICE_CODE + "#" + codeHash;
    }

    public static String userCode(String codeHash) {
        return USER_CODE + "#" + codeHash;
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

    /** The listing-index partition of an access token: "AT#0" .. "AT#15", by its jti. */
    public static String listShard(String jti) {
        return listShard(shardOf(jti));
    }

    /** Which of the SHARDS partitions a token's index entries go to: by its jti, so one client's spread evenly. */
    public static int shardOf(String jti) {
        return Math.floorMod(jti.hashCode(), SHARDS);
    }

    /**
     * The subject-index partition of an access token: the subject plus its jti's shard, so that one busy subject
     * (a machine client's tokens carry its client id as subject) writes to SHARDS partitions, not one.
     */
    public static String subjectShard(String subject, String jti) {
        return subjectShard(subject, shardOf(jti));
    }

    public static String subjectShard(String subject, int shard) {
        return subject + "#" + shard;
    }

    /** The org-index partition of an access token issued for an organisation (Agilicus): org plus jti's shard. */
    public static String orgShard(String org, String jti) {
        return orgShard(org, shardOf(jti));
    }

    public static String orgShard(String org, int shard) {
        return org + "#" + shard;
    }

    /** The pair record of a subject at a client (length-prefixed, so no subject and client run together). */
    public static String tokenPair(String subject, String clientId) {
        return "KP#" + subject.length() + ":" + subject + "#" + clientId;
    }

    /** The pair indexes' partition of a subject's pairs: one partition per subject, subjects spread over SHARDS. */
    public static String pairShard(String subject) {
        return pairShard(Math.floorMod(subject.hashCode(), SHARDS));
    }

    public static String pairShard(int shard) {
        return "KP#" + shard;
    }

    /** Sort key of the pair-user index: username then client id, NUL between (sorts before any character). */
    public static String pairByUser(String subject, String clientId) {
        return subject + "\0" + clientId;
    }

    /** Sort key of the pair-client index: client id then username. */
    public static String pairByClient(String subject, String clientId) {
        return clientId + "\0" + subject;
    }

    public static String listShard(int shard) {
        return "AT#" + shard;
    }

    /** A task for the scheduled cleanup: remove whatever consents of a deleted client are left. */
    public static String consentCleanup(String clientId) {
        return "HK#CONSENTS#" + clientId;
    }
}
