package io.brook.storage.internal;

import io.brook.storage.Record;
import io.brook.storage.RecordBatch;
import java.nio.ByteBuffer;
import java.util.Iterator;

/** Decoding of the records section of a batch (varints, decompression). */
public final class RecordCodec {
    // TODO(format helper): implement.
    private RecordCodec() {
    }

    public static Iterator<Record> records(RecordBatch batch, ByteBuffer bytes) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static void validate(RecordBatch batch, ByteBuffer bytes) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
