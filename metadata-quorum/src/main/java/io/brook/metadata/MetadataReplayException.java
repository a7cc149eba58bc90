package io.brook.metadata;

/**
 * A committed record contradicts the image it is replayed onto. The log is not what this code
 * expects (a bug, or a log from an incompatible version): the node stops applying metadata.
 */
public final class MetadataReplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataReplayException(String message) {
        super(message);
    }
}
