package dev.tokenservice.oauth.token;

import dev.tokenservice.tokens.TokenItem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Authorization codes, refresh tokens and session ids: 256 random bits, stored only as their SHA-256 (a
 * value with that much entropy needs no key or salt to be safe at rest).
 */
public final class OpaqueTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private OpaqueTokens() {
    }

    public static String newValue() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return URL.encodeToString(bytes);
    }

    /** The stored row of a new opaque value: only its hash, whom and what it is for, and when it ends. */
    static TokenItem row(String tokenKey, String kind, String clientId, String subject, List<String> scopes,
            String session, Instant now, Duration lifetime) {
        TokenItem row = new TokenItem();
        row.setTokenKey(tokenKey);
        row.setKind(kind);
        row.setClientId(clientId);
        row.setSubject(subject);
        row.setScope(String.join(" ", scopes));
        row.setSession(session);
        row.setIssuedAt(now.toEpochMilli());
        row.setExpiresAt(now.plus(lifetime).getEpochSecond());
        row.setTtl(now.plus(lifetime).getEpochSecond());
        return row;
    }

    public static String hash(String value) {
        try {
            return URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
