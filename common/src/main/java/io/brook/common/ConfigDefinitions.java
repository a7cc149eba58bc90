package io.brook.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of {@link ConfigKey}s, usually one module's, that parses a whole configuration at once:
 * an unknown key or an invalid value is an error naming the key, never silently ignored.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigDefinitions {
    private final Map<String, ConfigKey<?>> keys;

    private ConfigDefinitions(Map<String, ConfigKey<?>> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    public static ConfigDefinitions of(List<? extends ConfigKey<?>> keys) {
        Map<String, ConfigKey<?>> map = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys) {
            if (map.put(key.name(), key) != null) {
                throw new IllegalArgumentException("configuration key defined twice: " + key.name());
            }
        }
        return new ConfigDefinitions(map);
    }

    public static ConfigDefinitions of(ConfigKey<?>... keys) {
        return of(List.of(keys));
    }

    /** These keys and {@code other}'s together; a name in both is an error. */
    public ConfigDefinitions plus(ConfigDefinitions other) {
        List<ConfigKey<?>> all = new ArrayList<>(keys.values());
        all.addAll(other.keys.values());
        return of(all);
    }

    public boolean contains(ConfigKey<?> key) {
        return keys.get(key.name()) == key;
    }

    public ConfigKey<?> key(String name) {
        return keys.get(name);
    }

    public List<ConfigKey<?>> keys() {
        return List.copyOf(keys.values());
    }

    /**
     * Parses text values. Every key in {@code raw} must be defined; every required key must be
     * present.
     *
     * @throws ConfigException naming the first offending key
     */
    public ConfigValues parse(Map<String, String> raw) {
        Map<String, Object> values = new HashMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(raw).entrySet()) {
            ConfigKey<?> key = keys.get(entry.getKey());
            if (key == null) {
                throw new ConfigException(entry.getKey(), "Unknown configuration '" + entry.getKey()
                        + "'" + suggestion(entry.getKey()) + ".");
            }
            values.put(key.name(), key.parse(entry.getValue()));
        }
        for (ConfigKey<?> key : keys.values()) {
            if (!values.containsKey(key.name())) {
                key.validate(null); // throws for a missing required key
            }
        }
        return new ConfigValues(this, values, new TreeMap<>(raw));
    }

    /** A Markdown table of every key: what `brook config docs` prints. */
    public String toMarkdown() {
        StringBuilder out = new StringBuilder();
        out.append("| key | type | default | valid values | restart | description |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (ConfigKey<?> key : keys.values()) {
            String def = key.required() ? "(required)" : String.valueOf(key.defaultValue());
            out.append("| `").append(key.name()).append("` | ").append(key.type().name().toLowerCase())
                    .append(" | ").append(def).append(" | ").append(key.validValues())
                    .append(" | ").append(key.restartRequired() ? "yes" : "no")
                    .append(" | ").append(key.doc().replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }

    private String suggestion(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : keys.keySet()) {
            int distance = editDistance(unknown, name);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = name;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
