package io.brook.metadata;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

/**
 * Formats metadata directories and checks them at startup (Kafka's {@code kafka-storage format}
 * idea). A directory is formatted once, for one cluster and one node, by writing
 * {@code meta.properties}:
 *
 * <pre>
 * version=1
 * cluster.id=&lt;22 characters of URL-safe base64&gt;
 * node.id=&lt;int&gt;
 * </pre>
 *
 * <p>The cluster id is a random UUID written as URL-safe base64 without padding. The controller
 * quorum derives its Raft group id from that UUID, so a node formatted for another cluster cannot
 * join the group even if it is pointed at the right addresses.
 */
public final class StorageFormatter {
    static final String FORMAT_HINT = "run `brook storage format --config FILE --cluster-id ID` "
            + "(use `brook storage random-uuid` to make an id; every node of one cluster uses the same id)";

    private StorageFormatter() {}

    /**
     * A new cluster id: a random version-4 UUID from {@code random} (pass a {@link java.security.SecureRandom}
     * in production) as 22 characters of URL-safe base64 without padding. Like Kafka, ids that
     * would start with '-' are redrawn so that they never look like a command-line flag.
     */
    public static String randomClusterId(Random random) {
        while (true) {
            String id = encode(Uuids.random(random));
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    /** The cluster id for a UUID: 22 characters of URL-safe base64 without padding. */
    public static String encode(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /**
     * The UUID a cluster id encodes.
     *
     * @throws IllegalArgumentException when {@code clusterId} is not 22 characters of URL-safe base64
     */
    public static UUID clusterUuid(String clusterId) {
        Objects.requireNonNull(clusterId, "clusterId");
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(clusterId);
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (clusterId.length() != 22 || bytes == null || bytes.length != 16) {
            throw new IllegalArgumentException("Invalid cluster id '" + clusterId + "': expected 22 characters of "
                    + "URL-safe base64 encoding a UUID, as printed by `brook storage random-uuid`.");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    /**
     * Formats {@code dir} for {@code clusterId} and {@code nodeId}: creates the directory if
     * needed and writes {@code meta.properties} atomically (temp file, fsync, atomic rename).
     *
     * @param ignoreFormatted when the directory is already formatted, leave it as it is instead of
     *                        failing (the startup check still refuses a wrong cluster or node)
     * @return true when the directory was formatted now, false when it was already formatted and
     *         {@code ignoreFormatted} was set
     * @throws StorageFormatException when the directory is already formatted (and not ignored) or
     *                                cannot be written
     * @throws IllegalArgumentException when the cluster id is invalid or the node id negative
     */
    public static boolean format(Path dir, String clusterId, int nodeId, boolean ignoreFormatted) {
        clusterUuid(clusterId);
        if (nodeId < 0) {
            throw new IllegalArgumentException("Invalid node id " + nodeId + ": must be >= 0.");
        }
        Path file = dir.resolve(MetaProperties.FILE_NAME);
        if (Files.exists(file)) {
            if (ignoreFormatted) {
                return false;
            }
            MetaProperties existing = read(dir);
            throw new StorageFormatException("Metadata directory " + dir + " is already formatted (cluster.id="
                    + existing.clusterId() + ", node.id=" + existing.nodeId() + "). Formatting again would "
                    + "discard its identity; pass --ignore-formatted to skip formatted directories, or delete "
                    + "the directory if its data is really unwanted.");
        }
        String text = "version=" + MetaProperties.CURRENT_VERSION + "\ncluster.id=" + clusterId
                + "\nnode.id=" + nodeId + "\n";
        try {
            Files.createDirectories(dir);
            Path temp = dir.resolve(MetaProperties.FILE_NAME + ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
                dirChannel.force(true);
            } catch (IOException ignored) {
                // some file systems cannot fsync a directory; the rename itself was atomic
            }
        } catch (IOException e) {
            throw new StorageFormatException("Cannot format metadata directory " + dir + ": " + e, e);
        }
        return true;
    }

    /**
     * Reads {@code meta.properties} of a formatted directory.
     *
     * @throws StorageFormatException when the directory is not formatted or the file is invalid
     */
    public static MetaProperties read(Path dir) {
        Path file = dir.resolve(MetaProperties.FILE_NAME);
        if (!Files.exists(file)) {
            throw new StorageFormatException("Metadata directory " + dir + " is not formatted (no "
                    + MetaProperties.FILE_NAME + "): " + FORMAT_HINT + ".");
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new StorageFormatException("Cannot read " + file + ": " + e, e);
        }
        String version = props.getProperty("version");
        String clusterId = props.getProperty("cluster.id");
        String nodeId = props.getProperty("node.id");
        if (!String.valueOf(MetaProperties.CURRENT_VERSION).equals(version)) {
            throw new StorageFormatException(file + " has version " + version + "; this Brook reads version "
                    + MetaProperties.CURRENT_VERSION + ".");
        }
        if (clusterId == null || nodeId == null) {
            throw new StorageFormatException(file + " is incomplete (it needs cluster.id and node.id): "
                    + FORMAT_HINT + ".");
        }
        try {
            clusterUuid(clusterId);
            return new MetaProperties(MetaProperties.CURRENT_VERSION, clusterId, Integer.parseInt(nodeId.trim()));
        } catch (IllegalArgumentException e) {
            throw new StorageFormatException(file + " is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Checks, before a node starts, that every one of its metadata directories is formatted for
     * one and the same cluster and for {@code nodeId}.
     *
     * @return the directories' common identity
     * @throws StorageFormatException naming the directory and the ids when one is unformatted,
     *                                formatted for another node, or for another cluster than the
     *                                first directory
     */
    public static MetaProperties checkFormatted(List<Path> dirs, int nodeId) {
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("no metadata directory given");
        }
        MetaProperties first = null;
        Path firstDir = null;
        for (Path dir : dirs) {
            MetaProperties props = read(dir);
            if (props.nodeId() != nodeId) {
                throw new StorageFormatException("Metadata directory " + dir + " is formatted for node.id="
                        + props.nodeId() + " but this node has node.id=" + nodeId + ". Fix node.id in the "
                        + "configuration, or point this node at its own directory.");
            }
            if (first == null) {
                first = props;
                firstDir = dir;
            } else if (!first.clusterId().equals(props.clusterId())) {
                throw new StorageFormatException("Metadata directories belong to different clusters: " + firstDir
                        + " has cluster.id=" + first.clusterId() + " but " + dir + " has cluster.id="
                        + props.clusterId() + ". A node's directories must all be formatted with the same "
                        + "--cluster-id.");
            }
        }
        return first;
    }

    /**
     * Like {@link #checkFormatted(List, int)} and additionally checks the cluster id a node was
     * configured with.
     */
    public static MetaProperties checkFormatted(List<Path> dirs, int nodeId, String expectedClusterId) {
        MetaProperties props = checkFormatted(dirs, nodeId);
        if (!props.clusterId().equals(expectedClusterId)) {
            throw new StorageFormatException("Metadata directory " + dirs.get(0) + " is formatted for cluster.id="
                    + props.clusterId() + " but this node expects cluster.id=" + expectedClusterId + ".");
        }
        return props;
    }
}
