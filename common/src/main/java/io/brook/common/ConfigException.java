package io.brook.common;

/**
 * A configuration key is unknown, missing, or has an invalid value. The message always names the
 * key and says what would be valid, so an operator can fix the file without reading code.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** Which key was wrong. */
    public String key() {
        return key;
    }
}
