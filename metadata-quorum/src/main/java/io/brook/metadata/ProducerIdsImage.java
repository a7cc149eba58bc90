package io.brook.metadata;

/** The producer-id allocator's state: every id below {@code nextProducerId} is handed out. */
public record ProducerIdsImage(long nextProducerId) {
    public static final ProducerIdsImage EMPTY = new ProducerIdsImage(0);
}
