package io.brook.metadata;

import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.FeatureLevelRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.ProducerIdsRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The whole cluster metadata at one point of the committed log: immutable and therefore safe to
 * share between threads without locks. The next image comes from a {@link MetadataDelta}; an
 * image never changes.
 *
 * <p>Two images are {@link #equals equal} when their metadata is equal, whatever their
 * {@link #provenance() provenance}: replaying the same records in different batches gives equal
 * images at different log positions.
 */
public final class MetadataImage {
    public static final MetadataImage EMPTY = new MetadataImage(MetadataProvenance.EMPTY, FeaturesImage.EMPTY,
            ClusterImage.EMPTY, TopicsImage.EMPTY, ConfigsImage.EMPTY, AclsImage.EMPTY, ProducerIdsImage.EMPTY);

    private final MetadataProvenance provenance;
    private final FeaturesImage features;
    private final ClusterImage cluster;
    private final TopicsImage topics;
    private final ConfigsImage configs;
    private final AclsImage acls;
    private final ProducerIdsImage producerIds;

    public MetadataImage(MetadataProvenance provenance, FeaturesImage features, ClusterImage cluster,
            TopicsImage topics, ConfigsImage configs, AclsImage acls, ProducerIdsImage producerIds) {
        this.provenance = Objects.requireNonNull(provenance, "provenance");
        this.features = Objects.requireNonNull(features, "features");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.configs = Objects.requireNonNull(configs, "configs");
        this.acls = Objects.requireNonNull(acls, "acls");
        this.producerIds = Objects.requireNonNull(producerIds, "producerIds");
    }

    public MetadataProvenance provenance() {
        return provenance;
    }

    public FeaturesImage features() {
        return features;
    }

    public ClusterImage cluster() {
        return cluster;
    }

    public TopicsImage topics() {
        return topics;
    }

    public ConfigsImage configs() {
        return configs;
    }

    public AclsImage acls() {
        return acls;
    }

    public ProducerIdsImage producerIds() {
        return producerIds;
    }

    public boolean isEmpty() {
        return this.equals(EMPTY);
    }

    public MetadataImage withProvenance(MetadataProvenance newProvenance) {
        return new MetadataImage(newProvenance, features, cluster, topics, configs, acls, producerIds);
    }

    /** The image written as records that, replayed onto an empty image, give an equal image. */
    public List<MetadataRecord> toRecords() {
        List<MetadataRecord> records = new ArrayList<>();
        writeRecords(records::add);
        return records;
    }

    /**
     * Writes the image as records in a fixed order (features, brokers by id, topics by name each
     * followed by its partitions by id, configs by resource and name, ACLs by id, producer ids),
     * so that equal images always give the same snapshot bytes.
     */
    public void writeRecords(Consumer<MetadataRecord> out) {
        features.levels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.accept(
                MetadataRecord.newBuilder().setFeatureLevel(FeatureLevelRecord.newBuilder()
                        .setName(e.getKey()).setFeatureLevel(e.getValue())).build()));
        cluster.brokers().values().stream().sorted(Comparator.comparingInt(BrokerRegistration::id)).forEach(b ->
                out.accept(MetadataRecord.newBuilder().setRegisterBroker(b.toRecord()).build()));
        topics.topicsById().values().stream().sorted(Comparator.comparing(TopicImage::name)).forEach(topic -> {
            out.accept(MetadataRecord.newBuilder().setTopic(io.brook.api.internal.metadata.TopicRecord.newBuilder()
                    .setName(topic.name()).setTopicId(Uuids.toProto(topic.id()))).build());
            UUID id = topic.id();
            topic.partitions().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(p -> out.accept(
                    MetadataRecord.newBuilder().setPartition(p.getValue().toRecord(id, p.getKey())).build()));
        });
        configs.resources().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(resource ->
                resource.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
                        out.accept(MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                                .setResourceType(resource.getKey().type())
                                .setResourceName(resource.getKey().name())
                                .setName(entry.getKey())
                                .setValue(entry.getValue())).build())));
        acls.acls().values().stream().sorted(Comparator.comparing(AclEntry::id)).forEach(acl ->
                out.accept(MetadataRecord.newBuilder().setAccessControlEntry(acl.toRecord()).build()));
        if (producerIds.nextProducerId() != 0) {
            out.accept(MetadataRecord.newBuilder().setProducerIds(ProducerIdsRecord.newBuilder()
                    .setBrokerId(-1).setBrokerEpoch(-1).setNextProducerId(producerIds.nextProducerId())).build());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage other
                && features.equals(other.features)
                && cluster.equals(other.cluster)
                && topics.equals(other.topics)
                && configs.equals(other.configs)
                && acls.equals(other.acls)
                && producerIds.equals(other.producerIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, cluster, topics, configs, acls, producerIds);
    }

    @Override
    public String toString() {
        return "MetadataImage(" + provenance + ", " + features + ", " + cluster + ", " + topics + ", " + configs
                + ", " + acls + ", " + producerIds + ")";
    }
}
