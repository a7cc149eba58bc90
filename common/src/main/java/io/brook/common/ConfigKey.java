package io.brook.common;

import java.util.List;
import java.util.Objects;

/**
 * One typed configuration key: name, type, default, validator and documentation, defined once
 * per module (Kafka's ConfigDef idea). Values are parsed and validated through the key, so an
 * invalid value always fails with a {@link ConfigException} naming the key.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the Java type of the value
 */
public final class ConfigKey<T> {
    private final String name;
    private final ConfigType type;
    private final Class<T> javaType;
    private final T defaultValue;
    private final boolean required;
    private final ConfigValidator<? super T> validator;
    private final String doc;
    private final boolean restartRequired;

    private ConfigKey(Builder<T> builder) {
        this.name = Objects.requireNonNull(builder.name, "name");
        this.type = builder.type;
        this.javaType = builder.javaType;
        this.defaultValue = builder.defaultValue;
        this.required = builder.required;
        this.validator = builder.validator;
        this.doc = Objects.requireNonNull(builder.doc, "doc of " + name);
        this.restartRequired = builder.restartRequired;
        if (!required) {
            String problem = defaultValue == null ? null : validator.check(defaultValue);
            if (problem != null) {
                throw new IllegalArgumentException("default of " + name + " " + problem);
            }
        }
    }

    public static Builder<Boolean> booleanKey(String name) {
        return new Builder<>(name, ConfigType.BOOLEAN, Boolean.class);
    }

    public static Builder<Integer> intKey(String name) {
        return new Builder<>(name, ConfigType.INT, Integer.class);
    }

    public static Builder<Long> longKey(String name) {
        return new Builder<>(name, ConfigType.LONG, Long.class);
    }

    public static Builder<Double> doubleKey(String name) {
        return new Builder<>(name, ConfigType.DOUBLE, Double.class);
    }

    public static Builder<String> stringKey(String name) {
        return new Builder<>(name, ConfigType.STRING, String.class);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Builder<List<String>> listKey(String name) {
        return new Builder<>(name, ConfigType.LIST, (Class) List.class);
    }

    public String name() {
        return name;
    }

    public ConfigType type() {
        return type;
    }

    /** The default, or null when the key has none (it is required, or null means "unset"). */
    public T defaultValue() {
        return defaultValue;
    }

    /** Whether a value must be given (there is no default). */
    public boolean required() {
        return required;
    }

    public String doc() {
        return doc;
    }

    /** Whether a changed value takes effect only after a restart. */
    public boolean restartRequired() {
        return restartRequired;
    }

    public String validValues() {
        return validator.describe();
    }

    /**
     * Parses and validates a value written as text (a properties file, a CLI flag).
     *
     * @throws ConfigException naming this key when the text does not parse or is not valid
     */
    public T parse(String text) {
        Objects.requireNonNull(text, name);
        Object parsed;
        try {
            parsed = type.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, "Invalid value '" + text + "' for configuration "
                    + name + ": expected " + type.description() + ".");
        }
        return validate(javaType.cast(parsed));
    }

    /**
     * Validates an already-typed value.
     *
     * @throws ConfigException naming this key when the value is not valid
     */
    public T validate(T value) {
        if (value == null) {
            if (required) {
                throw new ConfigException(name, "Missing required configuration " + name
                        + " (" + doc + ").");
            }
            return defaultValue;
        }
        String problem = validator.check(value);
        if (problem != null) {
            throw new ConfigException(name, "Invalid value " + value + " for configuration "
                    + name + ": " + problem + ".");
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Collects the parts of a key; {@link #doc(String)} is mandatory. */
    public static final class Builder<T> {
        private final String name;
        private final ConfigType type;
        private final Class<T> javaType;
        private T defaultValue;
        private boolean required = true;
        private ConfigValidator<? super T> validator = ConfigValidator.any();
        private String doc;
        private boolean restartRequired;

        private Builder(String name, ConfigType type, Class<T> javaType) {
            this.name = name;
            this.type = type;
            this.javaType = javaType;
        }

        /** The value used when none is given; null means "unset" and makes the key optional. */
        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            this.required = false;
            return this;
        }

        public Builder<T> validator(ConfigValidator<? super T> validator) {
            this.validator = Objects.requireNonNull(validator);
            return this;
        }

        public Builder<T> doc(String doc) {
            this.doc = doc;
            return this;
        }

        /** Marks the key as taking effect only after a restart. */
        public Builder<T> restartRequired() {
            this.restartRequired = true;
            return this;
        }

        public ConfigKey<T> build() {
            return new ConfigKey<>(this);
        }
    }
}
