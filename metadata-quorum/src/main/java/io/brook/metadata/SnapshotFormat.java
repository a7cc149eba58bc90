package io.brook.metadata;

import com.google.protobuf.CodedInputStream;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.SnapshotHeader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The metadata snapshot file: a length-delimited {@link SnapshotHeader} followed by
 * {@code record_count} length-delimited {@link MetadataRecord}s that, replayed onto an empty
 * image, give the snapshot's image. Equal images give byte-identical files
 * ({@link MetadataImage#writeRecords} has a fixed order). No Ratis here: the state machine adds
 * the file naming and MD5 file around it.
 */
public final class SnapshotFormat {
    public static final int VERSION = 1;

    private SnapshotFormat() {}

    /** A loaded snapshot: the image, and the delta from the empty image that produced it. */
    public record Loaded(MetadataDelta delta, MetadataImage image) {}

    /** Writes the snapshot to {@code out}. */
    public static void write(MetadataImage image, OutputStream out) throws IOException {
        List<MetadataRecord> records = image.toRecords();
        SnapshotHeader.newBuilder()
                .setVersion(VERSION)
                .setLastAppliedTerm(image.provenance().lastAppliedTerm())
                .setLastAppliedIndex(image.provenance().lastAppliedIndex())
                .setRecordCount(records.size())
                .build().writeDelimitedTo(out);
        for (MetadataRecord record : records) {
            record.writeDelimitedTo(out);
        }
    }

    /**
     * Writes the snapshot to {@code file} durably and atomically: a temp file next to it, fsync,
     * then an atomic rename, so a crash leaves either no file or a whole one.
     */
    public static void writeFile(MetadataImage image, Path file) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            write(image, out);
            out.flush();
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads a snapshot.
     *
     * @throws IOException when the file is truncated, has another version, or holds a different
     *                     number of records than its header says
     */
    public static Loaded read(InputStream in) throws IOException {
        byte[] headerBytes = readDelimited(in);
        if (headerBytes == null) {
            throw new IOException("empty snapshot file");
        }
        SnapshotHeader header = SnapshotHeader.parseFrom(headerBytes);
        if (header.getVersion() != VERSION) {
            throw new IOException("snapshot version " + header.getVersion() + " is not supported (expected "
                    + VERSION + ")");
        }
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long count = 0;
        while (true) {
            byte[] record = readDelimited(in);
            if (record == null) {
                break;
            }
            delta.replay(MetadataRecord.parseFrom(record));
            count++;
        }
        if (count != header.getRecordCount()) {
            throw new IOException("snapshot holds " + count + " records but its header says "
                    + header.getRecordCount() + " (truncated or corrupt file)");
        }
        MetadataImage image = delta.apply(new MetadataProvenance(header.getLastAppliedIndex(),
                header.getLastAppliedTerm()));
        return new Loaded(delta, image);
    }

    /**
     * One length-delimited message: its bytes, or null at a clean end of the stream. Stricter than
     * protobuf's parseDelimitedFrom, which accepts a message cut short at a field boundary.
     */
    private static byte[] readDelimited(InputStream in) throws IOException {
        int first = in.read();
        if (first == -1) {
            return null;
        }
        int length = CodedInputStream.readRawVarint32(first, in);
        if (length < 0) {
            throw new IOException("negative message length in snapshot");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("snapshot ends inside a message (" + bytes.length + " of " + length + " bytes)");
        }
        return bytes;
    }

    public static Loaded readFile(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            return read(in);
        }
    }
}
