package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.MetaProperties;
import io.brook.metadata.StorageFormatter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StorageCommandTest extends CliTestSupport {


    @Test
    void randomUuidPrintsAClusterIdThatDecodesToAUuid() {
        assertEquals(0, brook("storage", "random-uuid"));
        String id = out.toString().trim();
        assertEquals(22, id.length(), id);
        StorageFormatter.clusterUuid(id);
    }

    @Test
    void formatWritesMetaPropertiesIntoTheMetadataDirAndEveryLogDir() throws IOException {
        Path config = config("node.id=3\nmetadata.log.dir=" + dir.resolve("meta") + "\nlog.dirs=" + dir.resolve("a")
                + "," + dir.resolve("b") + "\n");
        String clusterId = StorageFormatter.randomClusterId(new java.util.Random(1));
        assertEquals(0, brook("storage", "format", "--config", config.toString(), "--cluster-id", clusterId), err.toString());
        for (String d : new String[] {"meta", "a", "b"}) {
            MetaProperties meta = StorageFormatter.read(dir.resolve(d));
            assertEquals(clusterId, meta.clusterId());
            assertEquals(3, meta.nodeId());
        }
    }

    @Test
    void formattingTwiceFailsWithOneClearLineUnlessIgnored() throws IOException {
        Path config = config("node.id=1\nlog.dirs=" + dir.resolve("a") + "\n");
        String clusterId = StorageFormatter.randomClusterId(new java.util.Random(2));
        assertEquals(0, brook("storage", "format", "-c", config.toString(), "-t", clusterId));
        assertEquals(1, brook("storage", "format", "-c", config.toString(), "-t", clusterId));
        assertTrue(err.toString().startsWith("Error: Metadata directory"), err.toString());
        assertTrue(err.toString().contains("already formatted"), err.toString());
        assertEquals(1, err.toString().trim().lines().count(), "one line: " + err);
        assertEquals(0, brook("storage", "format", "-c", config.toString(), "-t", clusterId, "--ignore-formatted"));
    }

    @Test
    void badInputIsAnErrorOrAUsageError() throws IOException {
        assertEquals(2, brook("storage", "format", "--config", "x.properties"), "missing --cluster-id is a usage error");
        Path noNode = config("log.dirs=" + dir.resolve("a") + "\n");
        assertEquals(1, brook("storage", "format", "-c", noNode.toString(), "-t", "AAAAAAAAAAAAAAAAAAAAAA"));
        assertTrue(err.toString().contains("node.id"), err.toString());
        Path good = config("node.id=1\nlog.dirs=" + dir.resolve("a") + "\n");
        assertEquals(1, brook("storage", "format", "-c", good.toString(), "-t", "not-a-cluster-id"));
        assertEquals(1, brook("storage", "format", "-c", dir.resolve("missing.properties").toString(), "-t", "x"));
    }
}
