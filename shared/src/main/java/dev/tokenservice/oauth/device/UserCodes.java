package dev.tokenservice.oauth.device;

import java.security.SecureRandom;
import java.util.Optional;

/**
 * The user codes of device authorizations (RFC 8628 §6.1): eight letters of a 20-consonant alphabet, shown as
 * BCDF-GHJK. No vowels (no words), no letters people confuse with digits; typed in any case, with or without the
 * dash or spaces. 20^8 codes (about 34.5 bits): with at most a few thousand live at once and each signed-in person
 * allowed a handful of wrong guesses per window (RFC 8628 §5.1), a guess hits a live code about once in ten million
 * tries.
 */
public final class UserCodes {

    static final String ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    static final int LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private UserCodes() {
    }

    /** A new code, formatted as shown to the user. */
    public static String newCode() {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return formatted(code.toString());
    }

    /**
     * The code as the user typed it, in its canonical form (upper case, with the dash), when it can be one of ours;
     * empty for anything else, which is then not looked up.
     */
    public static Optional<String> canonical(String typed) {
        if (typed == null || typed.length() > 4 * LENGTH) {
            return Optional.empty();
        }
        StringBuilder letters = new StringBuilder(LENGTH);
        for (char c : typed.toCharArray()) {
            if (c == '-' || c == ' ') {
                continue;
            }
            if (c > 127) {
                return Optional.empty();
            }
            char upper = Character.toUpperCase(c);
            if (upper > 'Z' || ALPHABET.indexOf(upper) < 0) {
                return Optional.empty();
            }
            letters.append(upper);
        }
        return letters.length() == LENGTH ? Optional.of(formatted(letters.toString())) : Optional.empty();
    }

    private static String formatted(String letters) {
        return letters.substring(0, LENGTH / 2) + "-" + letters.substring(LENGTH / 2);
    }
}
