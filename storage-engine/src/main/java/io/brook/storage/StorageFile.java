package io.brook.storage;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * An open file with positional reads and writes (no shared file pointer), as the storage engine
 * uses it: segment data, checkpoints. Obtained from {@link FileIo#open}.
 *
 * <p>Thread-safe: positional reads may run concurrently with each other and with one writer.
 */
public interface StorageFile extends Closeable {

    /** Reads up to {@code dst.remaining()} bytes at {@code position}; -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes up to {@code src.remaining()} bytes at {@code position}; returns how many. */
    int write(ByteBuffer src, long position) throws IOException;

    long size() throws IOException;

    /** Cuts the file to {@code size} bytes (no-op when it is already shorter). */
    void truncate(long size) throws IOException;

    /** Makes every byte written so far durable (fdatasync: data plus the length needed to read it). */
    void force() throws IOException;

    /** Sends {@code count} bytes from {@code position} to {@code target}; returns how many went. */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException;

    @Override
    void close() throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    default void writeFully(ByteBuffer src, long position) throws IOException {
        long at = position;
        while (src.hasRemaining()) {
            at += write(src, at);
        }
    }

    /** Fills {@code dst} from {@code position}; {@link EOFException} when the file ends first. */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int read = read(dst, at);
            if (read < 0) {
                throw new EOFException("end of file at " + at + " with " + dst.remaining()
                        + " bytes still to read");
            }
            at += read;
        }
    }
}
