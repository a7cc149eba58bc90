package io.brook.metadata;

/**
 * A metadata directory is not formatted, cannot be read, or belongs to another cluster or node.
 * The message says which directory and what to do about it.
 */
public final class StorageFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageFormatException(String message) {
        super(message);
    }

    public StorageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
