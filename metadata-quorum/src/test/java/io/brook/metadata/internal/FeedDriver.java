package io.brook.metadata.internal;

import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.MetadataPublisher;
import java.util.List;

/**
 * Drives publishers by hand as a controller's apply thread would: committed batches at chosen
 * indexes, and snapshot loads. Not thread-safe (one test thread drives it).
 */
public final class FeedDriver {
    private final List<MetadataPublisher> publishers;
    private MetadataImage image = MetadataImage.EMPTY;

    public FeedDriver(MetadataPublisher... publishers) {
        this.publishers = List.of(publishers);
    }

    public MetadataImage image() {
        return image;
    }

    /** Publishes one committed batch at {@code index} (which may skip indexes, as Raft's do). */
    public MetadataImage commit(long index, long term, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(records);
        image = delta.apply(new MetadataProvenance(index, term));
        MetadataImage published = image;
        publishers.forEach(p -> p.onMetadataUpdate(delta, published));
        return image;
    }

    /** Publishes {@code count} batches of one config record each, at consecutive indexes. */
    public MetadataImage commitConfigs(int count, long term, int valueBytes) {
        for (int i = 0; i < count; i++) {
            long index = image.provenance().lastAppliedIndex() + 1;
            commit(index, term, config("key-" + (index % 500), "x".repeat(valueBytes) + index));
        }
        return image;
    }

    /** Publishes a snapshot load: {@code snapshot}'s content at {@code index}, replacing everything. */
    public MetadataImage loadSnapshot(MetadataImage snapshot, long index, long term) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(snapshot.toRecords());
        image = delta.apply(new MetadataProvenance(index, term));
        MetadataImage published = image;
        publishers.forEach(p -> p.onMetadataUpdate(delta, published));
        return image;
    }

    public static List<MetadataRecord> config(String key, String value) {
        return List.of(MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER).setResourceName("")
                .setName(key).setValue(value)).build());
    }
}
