package io.brook.storage.internal;

/** TEMPORARY stand-in (helper-state). */
public record EpochEntry(int epoch, long startOffset) {
}
