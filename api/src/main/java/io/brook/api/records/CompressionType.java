package io.brook.api.records;

/**
 * The compression codec of a record batch: bits 0-2 of the batch attributes, with Kafka's ids
 * and names ({@code compression.type}). The records section of a batch (everything after the
 * 61-byte header) is compressed as one stream; the header never is.
 */
public enum CompressionType {
    NONE(0, "none"),
    GZIP(1, "gzip"),
    SNAPPY(2, "snappy"),
    LZ4(3, "lz4"),
    ZSTD(4, "zstd");

    /** The attribute bits value. */
    public final int id;
    /** The configuration name ({@code compression.type=...}). */
    public final String configName;

    CompressionType(int id, String configName) {
        this.id = id;
        this.configName = configName;
    }

    /** The codec with attribute value {@code id}; {@link RecordFormatException} if unknown. */
    public static CompressionType forId(int id) {
        for (CompressionType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        throw new RecordFormatException(io.brook.api.v1.ErrorCode.CORRUPT_MESSAGE,
                "unknown compression codec id " + id);
    }

    /** The codec called {@code name} in configuration; {@link IllegalArgumentException} if unknown. */
    public static CompressionType forName(String name) {
        for (CompressionType type : values()) {
            if (type.configName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown compression type '" + name
                + "': expected none, gzip, snappy, lz4 or zstd");
    }
}
