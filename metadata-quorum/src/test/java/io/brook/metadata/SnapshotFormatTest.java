package io.brook.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.FeatureLevelRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.TopicRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFormatTest {
    @TempDir
    Path dir;

    static MetadataImage sampleImage(MetadataProvenance provenance) {
        Random random = new Random(7);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(MetadataRecord.newBuilder().setFeatureLevel(FeatureLevelRecord.newBuilder()
                .setName("metadata.version").setFeatureLevel(3)).build());
        for (int i = 0; i < 20; i++) {
            records.add(MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder().setName("t" + i)
                    .setTopicId(Uuids.toProto(Uuids.random(random)))).build());
            records.add(MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                    .setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER).setResourceName("")
                    .setName("k" + i).setValue("v" + i)).build());
        }
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(provenance);
    }

    @Test
    void imageSurvivesASnapshotFileRoundTripWithItsProvenance() throws IOException {
        MetadataImage image = sampleImage(new MetadataProvenance(1234, 7));
        Path file = dir.resolve("snapshot.7_1234");
        SnapshotFormat.writeFile(image, file);
        SnapshotFormat.Loaded loaded = SnapshotFormat.readFile(file);
        assertEquals(image, loaded.image());
        assertEquals(new MetadataProvenance(1234, 7), loaded.image().provenance());
        assertEquals(MetadataImage.EMPTY, loaded.delta().base(), "a loaded snapshot is a delta from the empty image");
        assertEquals(image.toRecords().size(), loaded.delta().recordCount());
        assertTrue(Files.list(dir).allMatch(p -> p.equals(file)), "no temp file is left behind");
    }

    @Test
    void equalImagesGiveIdenticalSnapshotBytes() throws IOException {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        SnapshotFormat.write(sampleImage(new MetadataProvenance(5, 1)), a);
        SnapshotFormat.write(sampleImage(new MetadataProvenance(5, 1)), b);
        assertArrayEquals(a.toByteArray(), b.toByteArray());
    }

    @Test
    void truncatedSnapshotIsRejected() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFormat.write(sampleImage(new MetadataProvenance(5, 1)), out);
        byte[] bytes = out.toByteArray();
        // Cut at a record boundary (fewer records than the header says) and inside a record.
        for (int cut : new int[] {bytes.length - 1, bytes.length / 2, 3}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThrows(IOException.class, () -> SnapshotFormat.read(new ByteArrayInputStream(truncated)),
                    "cut at " + cut);
        }
        assertThrows(IOException.class, () -> SnapshotFormat.read(new ByteArrayInputStream(new byte[0])));
    }

    @Test
    void emptyImageRoundTrips() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFormat.write(MetadataImage.EMPTY.withProvenance(new MetadataProvenance(3, 1)), out);
        SnapshotFormat.Loaded loaded = SnapshotFormat.read(new ByteArrayInputStream(out.toByteArray()));
        assertTrue(loaded.image().isEmpty());
        assertEquals(new MetadataProvenance(3, 1), loaded.image().provenance());
    }
}
