package io.brook.api.records.internal;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable byte array that builders write batches into: an {@link OutputStream} (so codec
 * streams can write into it) that also exposes its array, so a finished batch is handed out
 * without a final copy, and so header fields can be patched in place once their values are known.
 *
 * <p>Not thread-safe: one builder owns one instance.
 */
public final class ByteArrayOutput extends OutputStream {
    /** Some VMs refuse arrays of exactly Integer.MAX_VALUE elements. */
    private static final int MAX_SIZE = Integer.MAX_VALUE - 16;

    private byte[] array;
    private int size;

    public ByteArrayOutput(int initialCapacity) {
        this.array = new byte[Math.max(16, initialCapacity)];
    }

    /** Bytes written so far (including any reserved with {@link #skip}). */
    public int size() {
        return size;
    }

    /** The backing array; only the first {@link #size()} bytes are meaningful. */
    public byte[] array() {
        return array;
    }

    /** Moves the end forward by {@code count} zero bytes, to be patched later (a header). */
    public void skip(int count) {
        ensureCapacity(count);
        size += count;
    }

    /** Makes room for {@code additional} more bytes, so a codec can write into {@link #array()}. */
    public void ensureCapacity(int additional) {
        long required = (long) size + additional;
        if (required <= array.length) {
            return;
        }
        if (required > MAX_SIZE) {
            throw new IllegalStateException("a record batch cannot exceed " + MAX_SIZE
                    + " bytes; this one would need " + required);
        }
        long doubled = Math.max(required, 2L * array.length);
        array = Arrays.copyOf(array, (int) Math.min(doubled, MAX_SIZE));
    }

    /** Declares {@code count} bytes written directly into {@link #array()} after the end. */
    public void advance(int count) {
        if (count < 0 || (long) size + count > array.length) {
            throw new IllegalArgumentException("cannot advance by " + count + " with " + size + " of "
                    + array.length + " bytes used");
        }
        size += count;
    }

    @Override
    public void write(int value) {
        ensureCapacity(1);
        array[size++] = (byte) value;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        ensureCapacity(length);
        System.arraycopy(source, offset, array, size, length);
        size += length;
    }

    /** Writes the remaining bytes of {@code source} without moving its position. */
    public void write(ByteBuffer source) {
        int length = source.remaining();
        ensureCapacity(length);
        source.duplicate().get(array, size, length);
        size += length;
    }

    public void writeIntLittleEndian(int value) {
        ensureCapacity(4);
        array[size] = (byte) value;
        array[size + 1] = (byte) (value >>> 8);
        array[size + 2] = (byte) (value >>> 16);
        array[size + 3] = (byte) (value >>> 24);
        size += 4;
    }

    /** Writes {@code value} zigzag-encoded as an unsigned varint of at most 5 bytes (Kafka's varint). */
    public void writeVarint(int value) {
        int zigzag = (value << 1) ^ (value >> 31);
        ensureCapacity(5);
        while ((zigzag & ~0x7F) != 0) {
            array[size++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        array[size++] = (byte) zigzag;
    }

    /** Writes {@code value} zigzag-encoded as an unsigned varint of at most 10 bytes (Kafka's varlong). */
    public void writeVarlong(long value) {
        long zigzag = (value << 1) ^ (value >> 63);
        ensureCapacity(10);
        while ((zigzag & ~0x7FL) != 0) {
            array[size++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        array[size++] = (byte) zigzag;
    }

    /** Bytes {@link #writeVarint} uses for {@code value}. */
    public static int sizeOfVarint(int value) {
        int zigzag = (value << 1) ^ (value >> 31);
        // One byte per started group of 7 significant bits; zero still takes one byte.
        int significantBits = 32 - Integer.numberOfLeadingZeros(zigzag | 1);
        return (significantBits + 6) / 7;
    }

    /** Bytes {@link #writeVarlong} uses for {@code value}. */
    public static int sizeOfVarlong(long value) {
        long zigzag = (value << 1) ^ (value >> 63);
        int significantBits = 64 - Long.numberOfLeadingZeros(zigzag | 1);
        return (significantBits + 6) / 7;
    }
}
