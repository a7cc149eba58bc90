package io.brook.common;

import java.util.Collections;
import java.util.Map;

/**
 * Parsed, validated values for a {@link ConfigDefinitions}; a key that was not given reads as its
 * default. Immutable and thread-safe.
 */
public final class ConfigValues {
    private final ConfigDefinitions definitions;
    private final Map<String, Object> values;
    private final Map<String, String> originals;

    ConfigValues(ConfigDefinitions definitions, Map<String, Object> values, Map<String, String> originals) {
        this.definitions = definitions;
        this.values = Collections.unmodifiableMap(values);
        this.originals = Collections.unmodifiableMap(originals);
    }

    /** The value of {@code key}, or its default when it was not set. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        if (!definitions.contains(key)) {
            throw new IllegalArgumentException(key.name() + " is not one of these definitions");
        }
        Object value = values.get(key.name());
        return value == null ? key.defaultValue() : (T) value;
    }

    /** Whether {@code key} was set explicitly. */
    public boolean isSet(ConfigKey<?> key) {
        return originals.containsKey(key.name());
    }

    /** The text the values were parsed from, as given. */
    public Map<String, String> originals() {
        return originals;
    }

    public ConfigDefinitions definitions() {
        return definitions;
    }

    @Override
    public String toString() {
        return originals.toString();
    }
}
