package io.brook.common;

/** JSON string literals, for the few places that write JSON by hand (CLI output, chaos histories). */
public final class JsonStrings {
    private JsonStrings() {}

    /**
     * Appends {@code value} as a JSON string literal: quotes, backslashes and control characters
     * escaped, and U+2028 / U+2029 (line separators to JavaScript). With {@code asciiOnly} every
     * character outside printable ASCII is written as a {@code \\uXXXX} escape too, so the text
     * survives any encoding (a lone surrogate included).
     */
    public static void append(StringBuilder out, String value, boolean asciiOnly) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || asciiOnly && c > 0x7e) {
                        String hex = Integer.toHexString(c);
                        out.append("\\u").append("0".repeat(4 - hex.length())).append(hex);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
