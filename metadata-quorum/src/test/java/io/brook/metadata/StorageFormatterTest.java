package io.brook.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageFormatterTest {
    private static final String CLUSTER_A = StorageFormatter.randomClusterId(new Random(1));
    private static final String CLUSTER_B = StorageFormatter.randomClusterId(new Random(2));

    @TempDir
    Path root;

    @Test
    void randomClusterIdIs22UrlSafeCharactersDecodingToTheSameVersion4Uuid() {
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            String id = StorageFormatter.randomClusterId(random);
            assertEquals(22, id.length(), id);
            assertTrue(id.matches("[A-Za-z0-9_-]{22}") && !id.startsWith("-"), id);
            UUID uuid = StorageFormatter.clusterUuid(id);
            assertEquals(4, uuid.version());
            assertEquals(id, StorageFormatter.encode(uuid));
        }
    }

    @Test
    void invalidClusterIdIsRefusedWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageFormatter.format(root.resolve("d"), "not-an-id", 1, false));
        assertTrue(e.getMessage().contains("brook storage random-uuid"), e.getMessage());
    }

    @Test
    void formatWritesMetaPropertiesThatCheckFormattedAccepts() throws Exception {
        Path dir = root.resolve("meta");
        assertTrue(StorageFormatter.format(dir, CLUSTER_A, 3, false));
        assertEquals("version=1\ncluster.id=" + CLUSTER_A + "\nnode.id=3\n",
                Files.readString(dir.resolve(MetaProperties.FILE_NAME)));
        assertEquals(new MetaProperties(1, CLUSTER_A, 3), StorageFormatter.checkFormatted(List.of(dir), 3));
        assertFalse(Files.exists(dir.resolve(MetaProperties.FILE_NAME + ".tmp")));
    }

    @Test
    void unformattedDirectoryIsRefusedWithTheFormatCommand() {
        StorageFormatException e = assertThrows(StorageFormatException.class,
                () -> StorageFormatter.checkFormatted(List.of(root), 1));
        assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("brook storage format --config FILE --cluster-id ID"), e.getMessage());
        assertTrue(e.getMessage().contains("brook storage random-uuid"), e.getMessage());
    }

    @Test
    void directoryOfAnotherNodeIsRefusedNamingBothIds() {
        StorageFormatter.format(root, CLUSTER_A, 1, false);
        StorageFormatException e = assertThrows(StorageFormatException.class,
                () -> StorageFormatter.checkFormatted(List.of(root), 2));
        assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("node.id=1") && e.getMessage().contains("node.id=2"), e.getMessage());
    }

    @Test
    void directoriesOfDifferentClustersAreRefusedNamingDirectoriesAndClusterIds() {
        Path a = root.resolve("a");
        Path b = root.resolve("b");
        StorageFormatter.format(a, CLUSTER_A, 1, false);
        StorageFormatter.format(b, CLUSTER_B, 1, false);
        StorageFormatException e = assertThrows(StorageFormatException.class,
                () -> StorageFormatter.checkFormatted(List.of(a, b), 1));
        for (String part : List.of(a.toString(), b.toString(), CLUSTER_A, CLUSTER_B)) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
        StorageFormatException expected = assertThrows(StorageFormatException.class,
                () -> StorageFormatter.checkFormatted(List.of(a), 1, CLUSTER_B));
        assertTrue(expected.getMessage().contains(CLUSTER_A) && expected.getMessage().contains(CLUSTER_B));
    }

    @Test
    void formattingAFormattedDirectoryIsRefusedUnlessIgnored() throws Exception {
        StorageFormatter.format(root, CLUSTER_A, 1, false);
        StorageFormatException e = assertThrows(StorageFormatException.class,
                () -> StorageFormatter.format(root, CLUSTER_B, 1, false));
        assertTrue(e.getMessage().contains("already formatted") && e.getMessage().contains(CLUSTER_A), e.getMessage());
        assertFalse(StorageFormatter.format(root, CLUSTER_B, 1, true));
        assertEquals(CLUSTER_A, StorageFormatter.read(root).clusterId(), "an ignored format leaves the file alone");
    }
}
