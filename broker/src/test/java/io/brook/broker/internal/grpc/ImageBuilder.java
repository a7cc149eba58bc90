package io.brook.broker.internal.grpc;

import io.brook.api.internal.metadata.BrokerRegistrationChangeRecord;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import io.brook.api.internal.metadata.TopicRecord;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.Uuids;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Builds a {@link MetadataImage} the way a broker gets one: as metadata records replayed through
 * a {@link MetadataDelta}, so that fixtures cannot describe a state the records could not. Each
 * method appends one record; {@link #build()} replays them all onto an empty image.
 *
 * <p>Brokers have a {@code PLAINTEXT} listener at {@code broker-<id>:9092} and a
 * {@code REPLICATION} listener at {@code broker-<id>:9094}; broker epochs equal the broker id.
 */
final class ImageBuilder {
    private final List<MetadataRecord> records = new ArrayList<>();

    /** A registered, unfenced broker without a rack. */
    ImageBuilder broker(int id) {
        return broker(id, "", false);
    }

    ImageBuilder broker(int id, String rack, boolean fenced) {
        records.add(MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
                .setBrokerId(id)
                .setIncarnationId(Uuids.toProto(new UUID(id, id)))
                .setBrokerEpoch(id)
                .addEndpoints(Endpoint.newBuilder().setName("PLAINTEXT").setHost("broker-" + id).setPort(9092))
                .addEndpoints(Endpoint.newBuilder().setName("REPLICATION").setHost("broker-" + id).setPort(9094))
                .setRack(rack)
                .setFenced(fenced)).build());
        return this;
    }

    /** A registered broker that only has a listener named {@code listenerName}. */
    ImageBuilder brokerWithListener(int id, String listenerName) {
        records.add(MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
                .setBrokerId(id)
                .setIncarnationId(Uuids.toProto(new UUID(id, id)))
                .setBrokerEpoch(id)
                .addEndpoints(Endpoint.newBuilder().setName(listenerName).setHost("other-" + id).setPort(9999))).build());
        return this;
    }

    ImageBuilder controlledShutdown(int id) {
        records.add(MetadataRecord.newBuilder().setBrokerRegistrationChange(BrokerRegistrationChangeRecord.newBuilder()
                .setBrokerId(id).setBrokerEpoch(id).setInControlledShutdown(true)).build());
        return this;
    }

    ImageBuilder topic(String name, UUID id) {
        records.add(MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder()
                .setName(name).setTopicId(Uuids.toProto(id))).build());
        return this;
    }

    /** A partition with ISR = replicas and the first replica leading, epochs 0. */
    ImageBuilder partition(UUID topicId, int partitionId, Integer... replicas) {
        return partition(topicId, partitionId, List.of(replicas), List.of(replicas), replicas[0], 0);
    }

    ImageBuilder partition(UUID topicId, int partitionId, List<Integer> replicas, List<Integer> isr, int leader,
            int leaderEpoch) {
        records.add(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                .setTopicId(Uuids.toProto(topicId))
                .setPartitionId(partitionId)
                .addAllReplicas(replicas)
                .addAllIsr(isr)
                .setLeader(leader)
                .setLeaderEpoch(leaderEpoch)
                .setPartitionEpoch(leaderEpoch)).build());
        return this;
    }

    ImageBuilder config(ConfigResource resource, String name, String value) {
        records.add(MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(resource.type()).setResourceName(resource.name())
                .setName(name).setValue(value)).build());
        return this;
    }

    MetadataImage build() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(new MetadataProvenance(records.size(), 1));
    }
}
