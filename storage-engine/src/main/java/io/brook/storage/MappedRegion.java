package io.brook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read-write memory mapping of the start of a file (indexes). Obtained from {@link FileIo#map}.
 *
 * <p>Use only absolute {@code get}/{@code put} on {@link #buffer()}: the buffer is shared by the
 * writer and concurrent readers, so its position and limit must never change.
 */
public interface MappedRegion {

    /** The mapped bytes; capacity is the mapped length. */
    ByteBuffer buffer();

    /** Makes the mapped bytes durable (msync). */
    void force() throws IOException;
}
