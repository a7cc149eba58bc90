package io.brook.metadata;

import static io.brook.metadata.MetadataRecords.partitionChange;

import io.brook.api.internal.metadata.AccessControlEntryRecord;
import io.brook.api.internal.metadata.AclBinding;
import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.AclPatternType;
import io.brook.api.internal.metadata.AclPermissionType;
import io.brook.api.internal.metadata.AclResourceType;
import io.brook.api.internal.metadata.BrokerIdList;
import io.brook.api.internal.metadata.BrokerRegistrationChangeRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.PartitionChangeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * A QuickTheories generator of valid metadata logs: every record is applicable where it stands,
 * as the active controller would write it. A small model of the cluster (registered brokers and
 * their epochs, live topics and their partition counts, ACL ids, the producer-id high mark)
 * decides what each next record may refer to.
 *
 * <p>Every choice is drawn straight from QuickTheories' randomness source, so shrinking works on
 * the choices and the result stays valid by construction: a shrunk kind falls to 0 (a no-op) and
 * a shrunk index to the first candidate. A kind that does not apply yet (a partition change while
 * there is no topic) writes a no-op instead.
 *
 * <p>What it covers: registrations and re-registrations with cluster-wide increasing epochs,
 * fence/unfence and controlled shutdown (sometimes for a stale epoch, which replay ignores),
 * unregistration, topics with 1-4 partitions and optional topic configs, partition changes of any
 * field combination, topic removal and re-creation of removed names, cluster/broker/topic configs
 * set and deleted, ACLs added and removed, producer-id blocks, feature levels (0 removes), no-ops.
 */
final class ValidRecordSequences {
    private static final int BROKER_IDS = 6;
    private static final String[] TOPIC_NAMES = {"t0", "t1", "t2", "t3", "t4"};
    private static final String[] RACKS = {"", "r0", "r1", "r2"};
    private static final String[] CONFIG_NAMES = {"retention.ms", "segment.bytes", "cleanup.policy"};
    private static final String[] FEATURES = {"metadata.version", "kraft.version"};

    /** Record kinds; 0 (no-op) is what shrinking moves towards. */
    private enum Kind {
        NO_OP, REGISTER_BROKER, BROKER_CHANGE, UNREGISTER_BROKER, CREATE_TOPIC, PARTITION_CHANGE,
        REMOVE_TOPIC, CONFIG, ADD_ACL, REMOVE_ACL, PRODUCER_IDS, FEATURE_LEVEL
    }

    private ValidRecordSequences() {}

    /** Valid logs of 0 to {@code maxLength} records (a created topic's records count as one step). */
    static Gen<List<MetadataRecord>> validRecordSequences(int maxLength) {
        Gen<List<MetadataRecord>> gen = in -> {
            int steps = (int) in.next(Constraint.between(0, maxLength));
            Model model = new Model(in);
            for (int i = 0; i < steps; i++) {
                model.step(Kind.values()[model.pick(Kind.values().length)], i);
            }
            return model.records;
        };
        return gen.describedAs(MetadataRecords::describe);
    }

    /** The cluster as the generated log has built it so far, and the records written. */
    private static final class Model {
        final RandomnessSource in;
        final List<MetadataRecord> records = new ArrayList<>();
        /** Registered broker id to its current epoch. */
        final Map<Integer, Long> brokers = new LinkedHashMap<>();
        long highestBrokerEpoch;
        /** Live topics: id to name and partition count. */
        final Map<UUID, String> topicNames = new LinkedHashMap<>();
        final Map<UUID, Integer> partitionCounts = new LinkedHashMap<>();
        final List<UUID> acls = new ArrayList<>();
        long nextProducerId;
        long idCounter;

        Model(RandomnessSource in) {
            this.in = in;
        }

        int pick(int bound) {
            return (int) in.next(Constraint.between(0, bound - 1));
        }

        boolean flip() {
            return pick(2) == 1;
        }

        <T> T pick(List<T> values) {
            return values.get(pick(values.size()));
        }

        /** A fresh id: drawn high bits (so ids sort in no particular order), unique low bits. */
        UUID freshId() {
            return new UUID(in.next(Constraint.none().withNoShrinkPoint()), ++idCounter);
        }

        void step(Kind kind, int stepIndex) {
            boolean written = switch (kind) {
                case NO_OP -> false;
                case REGISTER_BROKER -> registerBroker();
                case BROKER_CHANGE -> brokerChange();
                case UNREGISTER_BROKER -> unregisterBroker();
                case CREATE_TOPIC -> createTopic();
                case PARTITION_CHANGE -> partitionChangeRecord();
                case REMOVE_TOPIC -> removeTopic();
                case CONFIG -> config();
                case ADD_ACL -> addAcl();
                case REMOVE_ACL -> removeAcl();
                case PRODUCER_IDS -> producerIds();
                case FEATURE_LEVEL -> featureLevel();
            };
            if (!written) {
                records.add(MetadataRecords.noOp(stepIndex));
            }
        }

        boolean registerBroker() {
            int id = pick(BROKER_IDS);
            highestBrokerEpoch += 1 + pick(3);
            brokers.put(id, highestBrokerEpoch);
            records.add(MetadataRecords.registerBroker(id, highestBrokerEpoch, RACKS[pick(RACKS.length)], flip()));
            return true;
        }

        boolean brokerChange() {
            if (brokers.isEmpty()) {
                return false;
            }
            int id = pick(List.copyOf(brokers.keySet()));
            long epoch = brokers.get(id) - pick(2); // one in two is stale (ignored by replay) unless epoch matches
            BrokerRegistrationChangeRecord.Builder change = BrokerRegistrationChangeRecord.newBuilder()
                    .setBrokerId(id).setBrokerEpoch(epoch);
            switch (pick(3)) {
                case 0 -> change.setFenced(flip());
                case 1 -> change.setInControlledShutdown(flip());
                default -> change.setFenced(flip()).setInControlledShutdown(flip());
            }
            records.add(MetadataRecord.newBuilder().setBrokerRegistrationChange(change).build());
            return true;
        }

        boolean unregisterBroker() {
            if (brokers.isEmpty()) {
                return false;
            }
            int id = pick(List.copyOf(brokers.keySet()));
            records.add(MetadataRecords.unregisterBroker(id, brokers.remove(id)));
            return true;
        }

        /** A replica set of 1-3 distinct brokers, registered ones when there are any. */
        List<Integer> replicas() {
            List<Integer> candidates = new ArrayList<>(brokers.keySet());
            if (candidates.isEmpty()) {
                for (int id = 0; id < BROKER_IDS; id++) {
                    candidates.add(id);
                }
            }
            int count = 1 + pick(Math.min(3, candidates.size()));
            List<Integer> replicas = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                replicas.add(candidates.remove(pick(candidates.size())));
            }
            return replicas;
        }

        boolean createTopic() {
            List<String> free = new ArrayList<>(List.of(TOPIC_NAMES));
            free.removeAll(topicNames.values());
            if (free.isEmpty()) {
                return false;
            }
            String name = pick(free);
            UUID id = freshId();
            topicNames.put(id, name);
            records.add(MetadataRecords.topic(name, id));
            int partitions = 1 + pick(4);
            partitionCounts.put(id, partitions);
            for (int p = 0; p < partitions; p++) {
                List<Integer> replicas = replicas();
                List<Integer> isr = replicas.subList(0, 1 + pick(replicas.size()));
                int leader = flip() ? isr.get(0) : PartitionRegistration.NO_LEADER;
                records.add(MetadataRecords.partition(id, p, replicas, isr, leader, pick(3), pick(3)));
            }
            if (flip()) {
                records.add(MetadataRecords.setConfig(ConfigResource.topic(name), CONFIG_NAMES[pick(3)],
                        Integer.toString(pick(1000))));
            }
            return true;
        }

        boolean partitionChangeRecord() {
            if (topicNames.isEmpty()) {
                return false;
            }
            UUID id = pick(List.copyOf(topicNames.keySet()));
            PartitionChangeRecord.Builder change = partitionChange(id, pick(partitionCounts.get(id)));
            List<Integer> replicas = replicas();
            int fields = pick(8); // a bit per optional field; 0 changes nothing but still bumps the epoch
            if ((fields & 1) != 0) {
                change.setLeader(flip() ? replicas.get(0) : PartitionRegistration.NO_LEADER);
            }
            if ((fields & 2) != 0) {
                change.setIsr(BrokerIdList.newBuilder().addAllIds(replicas.subList(0, pick(replicas.size() + 1))));
            }
            if ((fields & 4) != 0) {
                change.setReplicas(BrokerIdList.newBuilder().addAllIds(replicas));
            }
            records.add(MetadataRecords.record(change));
            return true;
        }

        boolean removeTopic() {
            if (topicNames.isEmpty()) {
                return false;
            }
            UUID id = pick(List.copyOf(topicNames.keySet()));
            topicNames.remove(id);
            partitionCounts.remove(id);
            records.add(MetadataRecords.removeTopic(id));
            return true;
        }

        boolean config() {
            ConfigResource resource = switch (pick(3)) {
                case 0 -> ConfigResource.cluster();
                case 1 -> ConfigResource.broker(pick(BROKER_IDS));
                default -> topicNames.isEmpty() ? ConfigResource.cluster()
                        : ConfigResource.topic(pick(List.copyOf(topicNames.values())));
            };
            String name = CONFIG_NAMES[pick(CONFIG_NAMES.length)];
            records.add(pick(3) == 0 ? MetadataRecords.deleteConfig(resource, name)
                    : MetadataRecords.setConfig(resource, name, Integer.toString(pick(1000))));
            return true;
        }

        boolean addAcl() {
            UUID id = freshId();
            acls.add(id);
            records.add(MetadataRecord.newBuilder().setAccessControlEntry(AccessControlEntryRecord.newBuilder()
                    .setId(Uuids.toProto(id)).setBinding(AclBinding.newBuilder()
                    .setResourceType(AclResourceType.forNumber(1 + pick(4)))
                    .setResourceName(TOPIC_NAMES[pick(TOPIC_NAMES.length)])
                    .setPatternType(AclPatternType.forNumber(1 + pick(2)))
                    .setPrincipal(flip() ? "User:alice" : "User:*")
                    .setHost(flip() ? "*" : "10.0.0.1")
                    .setOperation(AclOperation.forNumber(1 + pick(11)))
                    .setPermissionType(AclPermissionType.forNumber(1 + pick(2))))).build());
            return true;
        }

        boolean removeAcl() {
            if (acls.isEmpty()) {
                return false;
            }
            records.add(MetadataRecords.removeAcl(acls.remove(pick(acls.size()))));
            return true;
        }

        boolean producerIds() {
            nextProducerId += 1000L * (1 + pick(3));
            int broker = brokers.isEmpty() ? 0 : pick(List.copyOf(brokers.keySet()));
            records.add(MetadataRecords.producerIds(broker, brokers.getOrDefault(broker, 0L), nextProducerId));
            return true;
        }

        boolean featureLevel() {
            records.add(MetadataRecords.featureLevel(FEATURES[pick(FEATURES.length)], pick(4)));
            return true;
        }
    }
}
