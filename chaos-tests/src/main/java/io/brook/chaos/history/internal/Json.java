package io.brook.chaos.history.internal;

import io.brook.common.JsonStrings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the history files need, and no more: objects, arrays, strings, integers
 * (Java longs), booleans and null. Stateless and thread-safe.
 *
 * <p>Writing escapes every character outside printable ASCII as {@code \}{@code uXXXX}, so any
 * Java string (lone surrogates included) survives a round trip byte for byte and the files are
 * plain ASCII. Reading accepts standard JSON for those types and rejects fractions, exponents,
 * duplicate keys and trailing text, each with the position.
 */
public final class Json {
    private Json() {}

    /** Appends {@code value} as a JSON string literal, in printable ASCII (see {@link JsonStrings}). */
    public static void appendString(StringBuilder out, String value) {
        JsonStrings.append(out, value, true);
    }

    /**
     * Parses one JSON value: a {@code Map<String, Object>} (in key order), a {@code List<Object>},
     * a {@code String}, a {@code Long}, a {@code Boolean} or null.
     *
     * @throws IllegalArgumentException naming the position of the first error
     */
    public static Object parse(String text) {
        Parser parser = new Parser(text);
        parser.skipWhitespace();
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.position != text.length()) {
            throw parser.error("trailing text");
        }
        return value;
    }

    private static final class Parser {
        private final String text;
        private int position;

        Parser(String text) {
            this.text = text;
        }

        Object value() {
            if (position >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(position);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + c + "'");
                }
            };
        }

        private Map<String, Object> object() {
            expect('{');
            Map<String, Object> fields = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                position++;
                return fields;
            }
            while (true) {
                skipWhitespace();
                int keyAt = position;
                if (peek() != '"') {
                    throw error("expected a field name");
                }
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object value = value();
                if (fields.containsKey(key)) {
                    position = keyAt;
                    throw error("duplicate field \"" + key + "\"");
                }
                fields.put(key, value);
                skipWhitespace();
                char c = next();
                if (c == '}') {
                    return fields;
                }
                if (c != ',') {
                    position--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> array() {
            expect('[');
            List<Object> items = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                position++;
                return items;
            }
            while (true) {
                skipWhitespace();
                items.add(value());
                skipWhitespace();
                char c = next();
                if (c == ']') {
                    return items;
                }
                if (c != ',') {
                    position--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    position--;
                    throw error("unescaped control character in a string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escape = next();
                switch (escape) {
                    case '"' -> out.append('"');
                    case '\\' -> out.append('\\');
                    case '/' -> out.append('/');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (position + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int digit = Character.digit(text.charAt(position + i), 16);
                            if (digit < 0) {
                                throw error("bad \\u escape");
                            }
                            code = code * 16 + digit;
                        }
                        position += 4;
                        out.append((char) code);
                    }
                    default -> {
                        position--;
                        throw error("bad escape '\\" + escape + "'");
                    }
                }
            }
        }

        private Long number() {
            int start = position;
            if (peek() == '-') {
                position++;
            }
            int digitsAt = position;
            while (position < text.length() && Character.isDigit(text.charAt(position))) {
                position++;
            }
            if (position == digitsAt) {
                throw error("expected digits");
            }
            if (position - digitsAt > 1 && text.charAt(digitsAt) == '0') {
                position = digitsAt;
                throw error("leading zero");
            }
            if (position < text.length() && "eE.".indexOf(text.charAt(position)) >= 0) {
                throw error("only integers are expected");
            }
            try {
                return Long.parseLong(text.substring(start, position));
            } catch (NumberFormatException e) {
                position = start;
                throw error("integer out of range");
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, position)) {
                throw error("unexpected word");
            }
            position += word.length();
            return value;
        }

        void skipWhitespace() {
            while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0) {
                position++;
            }
        }

        private char peek() {
            if (position >= text.length()) {
                throw error("unexpected end");
            }
            return text.charAt(position);
        }

        private char next() {
            char c = peek();
            position++;
            return c;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            position++;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at column " + (position + 1));
        }
    }
}
