package io.brook.metadata;

import com.google.protobuf.TextFormat;
import io.brook.api.internal.metadata.AccessControlEntryRecord;
import io.brook.api.internal.metadata.AclBinding;
import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.AclPatternType;
import io.brook.api.internal.metadata.AclPermissionType;
import io.brook.api.internal.metadata.AclResourceType;
import io.brook.api.internal.metadata.BrokerIdList;
import io.brook.api.internal.metadata.BrokerRegistrationChangeRecord;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.internal.metadata.FeatureLevelRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.NoOpRecord;
import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.ProducerIdsRecord;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import io.brook.api.internal.metadata.RemoveAccessControlEntryRecord;
import io.brook.api.internal.metadata.RemoveTopicRecord;
import io.brook.api.internal.metadata.TopicRecord;
import io.brook.api.internal.metadata.UnregisterBrokerRecord;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Test fixtures: one short factory per metadata record, and replay helpers. Every factory returns
 * a complete {@link MetadataRecord} so tests read as the log they describe.
 */
final class MetadataRecords {
    private MetadataRecords() {}

    static MetadataRecord registerBroker(int id, long epoch, String rack, boolean fenced) {
        return MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
                .setBrokerId(id)
                .setIncarnationId(Uuids.toProto(new UUID(id, epoch)))
                .setBrokerEpoch(epoch)
                .addEndpoints(Endpoint.newBuilder().setName("PLAINTEXT").setHost("broker-" + id).setPort(9092))
                .setRack(rack)
                .setFenced(fenced)).build();
    }

    static MetadataRecord unregisterBroker(int id, long epoch) {
        return MetadataRecord.newBuilder().setUnregisterBroker(UnregisterBrokerRecord.newBuilder()
                .setBrokerId(id).setBrokerEpoch(epoch)).build();
    }

    static MetadataRecord fence(int id, long epoch, boolean fenced) {
        return MetadataRecord.newBuilder().setBrokerRegistrationChange(BrokerRegistrationChangeRecord.newBuilder()
                .setBrokerId(id).setBrokerEpoch(epoch).setFenced(fenced)).build();
    }

    static MetadataRecord controlledShutdown(int id, long epoch, boolean inControlledShutdown) {
        return MetadataRecord.newBuilder().setBrokerRegistrationChange(BrokerRegistrationChangeRecord.newBuilder()
                .setBrokerId(id).setBrokerEpoch(epoch).setInControlledShutdown(inControlledShutdown)).build();
    }

    static MetadataRecord topic(String name, UUID id) {
        return MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder()
                .setName(name).setTopicId(Uuids.toProto(id))).build();
    }

    /** A new partition: ISR = replicas, leader = first replica, epochs 0. */
    static MetadataRecord partition(UUID topicId, int partitionId, Integer... replicas) {
        return partition(topicId, partitionId, List.of(replicas), List.of(replicas), replicas[0], 0, 0);
    }

    static MetadataRecord partition(UUID topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
            int leader, int leaderEpoch, int partitionEpoch) {
        return MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                .setTopicId(Uuids.toProto(topicId))
                .setPartitionId(partitionId)
                .addAllReplicas(replicas)
                .addAllIsr(isr)
                .setLeader(leader)
                .setLeaderEpoch(leaderEpoch)
                .setPartitionEpoch(partitionEpoch)).build();
    }

    static PartitionChangeRecord.Builder partitionChange(UUID topicId, int partitionId) {
        return PartitionChangeRecord.newBuilder().setTopicId(Uuids.toProto(topicId)).setPartitionId(partitionId);
    }

    static MetadataRecord record(PartitionChangeRecord.Builder change) {
        return MetadataRecord.newBuilder().setPartitionChange(change).build();
    }

    static BrokerIdList ids(Integer... ids) {
        return BrokerIdList.newBuilder().addAllIds(List.of(ids)).build();
    }

    static MetadataRecord removeTopic(UUID id) {
        return MetadataRecord.newBuilder().setRemoveTopic(RemoveTopicRecord.newBuilder()
                .setTopicId(Uuids.toProto(id))).build();
    }

    static MetadataRecord setConfig(ConfigResource resource, String name, String value) {
        return MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(resource.type()).setResourceName(resource.name())
                .setName(name).setValue(value)).build();
    }

    static MetadataRecord deleteConfig(ConfigResource resource, String name) {
        return MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(resource.type()).setResourceName(resource.name())
                .setName(name)).build();
    }

    static MetadataRecord configWithoutType(String name) {
        return MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(ConfigResourceType.CONFIG_RESOURCE_UNKNOWN).setName(name).setValue("1")).build();
    }

    static MetadataRecord acl(UUID id, String topic, String principal, AclOperation operation) {
        return MetadataRecord.newBuilder().setAccessControlEntry(AccessControlEntryRecord.newBuilder()
                .setId(Uuids.toProto(id)).setBinding(AclBinding.newBuilder()
                .setResourceType(AclResourceType.ACL_RESOURCE_TOPIC)
                .setResourceName(topic)
                .setPatternType(AclPatternType.ACL_PATTERN_LITERAL)
                .setPrincipal(principal)
                .setHost("*")
                .setOperation(operation)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_ALLOW))).build();
    }

    static MetadataRecord removeAcl(UUID id) {
        return MetadataRecord.newBuilder().setRemoveAccessControlEntry(RemoveAccessControlEntryRecord.newBuilder()
                .setId(Uuids.toProto(id))).build();
    }

    static MetadataRecord producerIds(int brokerId, long brokerEpoch, long nextProducerId) {
        return MetadataRecord.newBuilder().setProducerIds(ProducerIdsRecord.newBuilder()
                .setBrokerId(brokerId).setBrokerEpoch(brokerEpoch).setNextProducerId(nextProducerId)).build();
    }

    static MetadataRecord featureLevel(String name, int level) {
        return MetadataRecord.newBuilder().setFeatureLevel(FeatureLevelRecord.newBuilder()
                .setName(name).setFeatureLevel(level)).build();
    }

    static MetadataRecord noOp(long appendTimeMs) {
        return MetadataRecord.newBuilder().setNoOp(NoOpRecord.newBuilder().setAppendTimeMs(appendTimeMs)).build();
    }

    /** The image after replaying {@code records} onto {@code base} in one delta. */
    static MetadataImage replay(MetadataImage base, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(base);
        delta.replayAll(records);
        return delta.apply(new MetadataProvenance(base.provenance().lastAppliedIndex() + 1, 1));
    }

    static MetadataImage replay(List<MetadataRecord> records) {
        return replay(MetadataImage.EMPTY, records);
    }

    static MetadataImage replay(MetadataRecord... records) {
        return replay(List.of(records));
    }

    /** The image's snapshot records replayed onto an empty image. */
    static MetadataImage snapshotRoundTrip(MetadataImage image) {
        return replay(MetadataImage.EMPTY, image.toRecords()).withProvenance(image.provenance());
    }

    /** One record per line in protobuf's short text form, for failure messages. */
    static String describe(List<MetadataRecord> records) {
        return records.stream().map(TextFormat.printer().emittingSingleLine(true)::printToString)
                .collect(Collectors.joining("\n  ", "[\n  ", "\n]"));
    }
}
