package io.brook.client;

/**
 * Called once when a record's outcome is known, on the producer's I/O thread (keep it quick):
 * {@code metadata} on success, {@code exception} otherwise — check
 * {@link BrookException#indeterminate()} before concluding the record was not written.
 */
@FunctionalInterface
public interface Callback {
    void onCompletion(RecordMetadata metadata, Exception exception);
}
