package io.brook.metadata;

/**
 * Where an image came from: the last Raft log position applied to it. Index 0 and term 0 mean
 * "nothing applied yet".
 */
public record MetadataProvenance(long lastAppliedIndex, long lastAppliedTerm) {
    public static final MetadataProvenance EMPTY = new MetadataProvenance(0, 0);
}
