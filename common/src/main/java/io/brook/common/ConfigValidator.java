package io.brook.common;

import java.util.List;
import java.util.Objects;

/**
 * Checks a parsed configuration value. {@link #describe()} is shown in error messages and in the
 * generated configuration docs, so it says what is valid in words an operator understands.
 *
 * @param <T> the value type
 */
public interface ConfigValidator<T> {

    /** Returns null when {@code value} is valid, otherwise why it is not. */
    String check(T value);

    /** The valid values, in words ("at least 1", "one of [delete, compact]"). */
    String describe();

    /** Accepts everything. */
    static <T> ConfigValidator<T> any() {
        return of(value -> null, "any");
    }

    /** A number that is at least {@code min}. */
    static <T extends Number & Comparable<T>> ConfigValidator<T> atLeast(T min) {
        return of(value -> value.compareTo(min) >= 0 ? null : "must be at least " + min,
                "at least " + min);
    }

    /** A number in the closed range [{@code min}, {@code max}]. */
    static <T extends Number & Comparable<T>> ConfigValidator<T> between(T min, T max) {
        return of(value -> value.compareTo(min) >= 0 && value.compareTo(max) <= 0
                        ? null : "must be between " + min + " and " + max,
                "between " + min + " and " + max);
    }

    /** A string that is one of {@code allowed} (exact match). */
    static ConfigValidator<String> oneOf(String... allowed) {
        List<String> list = List.of(allowed);
        return of(value -> list.contains(value) ? null : "must be one of " + list, "one of " + list);
    }

    /** A list whose every item is one of {@code allowed}, and which is not empty. */
    static ConfigValidator<List<String>> nonEmptySubsetOf(String... allowed) {
        List<String> list = List.of(allowed);
        return of(value -> {
            if (value.isEmpty()) {
                return "must not be empty";
            }
            for (String item : value) {
                if (!list.contains(item)) {
                    return "item '" + item + "' must be one of " + list;
                }
            }
            return null;
        }, "a non-empty list of " + list);
    }

    /** A non-empty string or list. */
    static <T> ConfigValidator<T> nonEmpty() {
        return of(value -> {
            boolean empty = value instanceof String s ? s.isEmpty()
                    : value instanceof List<?> l && l.isEmpty();
            return empty ? "must not be empty" : null;
        }, "non-empty");
    }

    /** Builds a validator from a check function and its description. */
    static <T> ConfigValidator<T> of(java.util.function.Function<T, String> check, String describe) {
        Objects.requireNonNull(check);
        Objects.requireNonNull(describe);
        return new ConfigValidator<>() {
            @Override
            public String check(T value) {
                return check.apply(value);
            }

            @Override
            public String describe() {
                return describe;
            }
        };
    }
}
