package io.brook.metadata;

/**
 * Receives every new committed image, in log order, with the delta that produced it. Called on
 * the thread that applies metadata; implementations hand long work to their own threads.
 */
@FunctionalInterface
public interface MetadataPublisher {
    void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage);
}
