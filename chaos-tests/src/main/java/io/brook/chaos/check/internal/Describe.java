package io.brook.chaos.check.internal;

import io.brook.chaos.history.internal.Json;
import io.brook.chaos.history.Operation;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Phrases the checkers' anomaly lines share. Stateless. */
public final class Describe {
    private static final int LISTED = 10;

    private Describe() {}

    /** {@code value} in double quotes, escaped as in the history file; {@code null} bare. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        Json.appendString(out, value);
        return out.toString();
    }

    /** "op 5", "ops 5, 7 and 9", "ops 1, 2, ... 10 and 31 more". */
    public static String ops(Collection<Long> indexes) {
        List<Long> sorted = indexes.stream().sorted().distinct().toList();
        if (sorted.size() == 1) {
            return "op " + sorted.get(0);
        }
        StringBuilder out = new StringBuilder("ops ");
        int shown = Math.min(sorted.size(), LISTED);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                out.append(i == sorted.size() - 1 ? " and " : ", ");
            }
            out.append(sorted.get(i));
        }
        if (sorted.size() > shown) {
            out.append(" and ").append(sorted.size() - shown).append(" more");
        }
        return out.toString();
    }

    /** "a", "a and b", "a, b and c". */
    public static String joinAnd(List<String> items) {
        if (items.size() <= 1) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /** "send of "v3" by process 2 (invoke op 4, ok op 6)". */
    public static String send(Operation send) {
        return "send of " + quote(send.last().value()) + " by process " + send.process() + " ("
                + send.describeOps() + ")";
    }

    /** Nanoseconds as milliseconds with one decimal: "1234.5 ms". */
    public static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** A time since the run started, in seconds: "12.345 s". */
    public static String at(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    /** Nanoseconds as fractional milliseconds, for figures. */
    public static double millis(long nanos) {
        return nanos / 1e6;
    }
}
