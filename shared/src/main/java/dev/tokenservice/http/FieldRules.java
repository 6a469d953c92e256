package dev.tokenservice.http;

import java.util.Set;

/**
 * Rules every request value obeys whichever route reads it, applied where requests are read (query, path,
 * form, JSON body, Basic credentials), so a new route gets them without writing a check of its own.
 * <ul>
 * <li>A value that becomes (part of) a DynamoDB key is at most {@link #MAX_KEY_CHARACTERS} characters: DynamoDB
 * refuses a partition key over 2048 bytes and a sort key over 1024 (a subject is the consents' sort key), and
 * the key builders join such values with prefixes ("RV#SUBCLIENT#" + client + "#" + subject), so each part
 * stays below half the partition limit; the pair indexes' sort key is a subject, a NUL and a client id (a
 * 36-character UUID), so a subject must leave room for it under 1024. Past the limits DynamoDB answers a
 * ValidationException, which would be a 500. The limit counts characters (code points), as openapi.yaml's
 * maxLength does, so a value the document allows is never refused for its bytes: 240 characters of up to
 * four bytes of UTF-8 each are at most 960 bytes, and 960 + 1 + 36 fits the 1024-byte sort key.
 * <li>Identifiers and names hold no control characters (NUL, ESC, ...) and no bidirectional formatting
 * characters, which could make a name read differently on a page than it is stored.
 * </ul>
 */
public final class FieldRules {

    public static final int MAX_KEY_CHARACTERS = 240;

    /** Request fields (query, path, form and JSON names) whose values end up in a key of a table or index. */
    private static final Set<String> KEY_FIELDS = Set.of(
            "client_id", "clientId", "last_client_id", "filter_client_id",
            "sub", "username", "filter_username", "jti", "session", "org");

    private FieldRules() {
    }

    /** The value checked when the field is one that becomes a key; otherwise as it is. */
    public static String checked(String field, String value) {
        return value != null && KEY_FIELDS.contains(field) ? identifier(field, value) : value;
    }

    /** A value that becomes a key: at most MAX_KEY_CHARACTERS, no control or bidi characters; 400 naming it. */
    public static String identifier(String field, String value) {
        if (characters(value) > MAX_KEY_CHARACTERS) {
            throw JsonBody.invalid(field + ": must be at most " + MAX_KEY_CHARACTERS + " characters");
        }
        return printable(field, value);
    }

    /** A name or identifier shown to people: 400 naming the field when it holds a control or bidi character. */
    public static String printable(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (isControl(value.charAt(i))) {
                throw JsonBody.invalid(field + ": must not contain control or bidirectional formatting characters");
            }
        }
        return value;
    }

    /**
     * The length of a value as openapi.yaml's minLength and maxLength count it (JSON Schema: code points), not in
     * UTF-16 units: an emoji is one character, so a name of 200 emoji is within a 256-character limit.
     */
    public static int characters(String value) {
        return value.codePointCount(0, value.length());
    }

    /**
     * True when the value holds nothing but white space as openapi.yaml's patterns read {@code \s} (Python's and
     * ECMAScript's regular expressions): Java's isBlank misses the no-break spaces (U+00A0, U+2007, U+202F), the
     * next-line control (U+0085) and the byte-order mark (U+FEFF), so a name of no-break spaces would be stored.
     */
    public static boolean blank(String value) {
        return value.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == 0x85 || c == 0xFEFF);
    }

    /** C0, DEL and C1 controls, and the characters that override or isolate text direction (Unicode bidi). */
    public static boolean isControl(char c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u061C' || c == '\u200E' || c == '\u200F'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
