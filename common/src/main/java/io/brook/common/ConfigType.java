package io.brook.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The value types a configuration key can have, with how each is written in a properties file. */
public enum ConfigType {
    BOOLEAN("true or false") {
        @Override
        Object parse(String text) {
            String lower = text.trim().toLowerCase(Locale.ROOT);
            if (lower.equals("true")) {
                return Boolean.TRUE;
            }
            if (lower.equals("false")) {
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("expected true or false");
        }
    },
    INT("a 32-bit integer") {
        @Override
        Object parse(String text) {
            return Integer.parseInt(text.trim());
        }
    },
    LONG("a 64-bit integer") {
        @Override
        Object parse(String text) {
            return Long.parseLong(text.trim());
        }
    },
    DOUBLE("a decimal number") {
        @Override
        Object parse(String text) {
            return Double.parseDouble(text.trim());
        }
    },
    STRING("a string") {
        @Override
        Object parse(String text) {
            return text.trim();
        }
    },
    /** A comma-separated list; blanks around items are ignored, empty items are dropped. */
    LIST("a comma-separated list") {
        @Override
        Object parse(String text) {
            List<String> items = new ArrayList<>();
            for (String item : text.split(",")) {
                String trimmed = item.trim();
                if (!trimmed.isEmpty()) {
                    items.add(trimmed);
                }
            }
            return Collections.unmodifiableList(items);
        }
    };

    private final String description;

    ConfigType(String description) {
        this.description = description;
    }

    /** Parses text; throws {@link IllegalArgumentException} (wrapped by the caller) when invalid. */
    abstract Object parse(String text);

    /** What a valid value of this type looks like, for error messages and docs. */
    public String description() {
        return description;
    }
}
