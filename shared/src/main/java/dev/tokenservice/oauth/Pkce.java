package dev.tokenservice.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/** RFC 7636 with S256 only: "plain" would hand the verifier to anyone who sees the authorization request. */
public final class Pkce {

    public static final String S256 = "S256";
    private static final Pattern VERIFIER = Pattern.compile("^[A-Za-z0-9._~-]{43,128}$");
    private static final Pattern CHALLENGE = Pattern.compile("^[A-Za-z0-9_-]{43}$");

    private Pkce() {
    }

    public static boolean isChallenge(String value) {
        return value != null && CHALLENGE.matcher(value).matches();
    }

    public static boolean isVerifier(String value) {
        return value != null && VERIFIER.matcher(value).matches();
    }

    public static String challengeOf(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
    }

    /** Constant-time: the comparison does not tell an attacker how much of the verifier was right. */
    public static boolean verifies(String verifier, String challenge) {
        return isVerifier(verifier) && challenge != null && MessageDigest.isEqual(
                challengeOf(verifier).getBytes(StandardCharsets.US_ASCII), challenge.getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
