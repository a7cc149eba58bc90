package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreatableTopicResult;
import io.brook.api.internal.controller.CreatePartitionsRequest;
import io.brook.api.internal.controller.CreatePartitionsResponse;
import io.brook.api.internal.controller.CreatePartitionsTopic;
import io.brook.api.internal.controller.CreatePartitionsTopicResult;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.DeletableTopicResult;
import io.brook.api.internal.controller.DeleteTopicsRequest;
import io.brook.api.internal.controller.DeleteTopicsResponse;
import io.brook.api.internal.controller.ReplicaAssignment;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.RemoveTopicRecord;
import io.brook.api.internal.metadata.TopicRecord;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigException;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Topic creation, deletion and partition growth: validation, placement through
 * {@link ReplicaPlacer} (preferred leaders balanced cluster-wide), and the records. Works on the
 * image it is given (the controller's speculative image); ids come from the injected
 * {@link Random}. Not thread-safe (the controller's event loop uses it).
 */
final class TopicControl {
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final ControllerConfig config;
    private final ConfigDefinitions topicConfigs;
    private final Random random;

    TopicControl(ControllerConfig config, ConfigDefinitions topicConfigs, Random random) {
        this.config = config;
        this.topicConfigs = topicConfigs;
        this.random = random;
    }

    ControllerResult<CreateTopicsResponse> createTopics(MetadataImage speculative, CreateTopicsRequest request) {
        Map<String, Integer> nameCounts = new HashMap<>();
        request.getTopicsList().forEach(t -> nameCounts.merge(t.getName(), 1, Integer::sum));
        List<UsableBroker> usable = UsableBroker.usableBrokers(speculative.cluster());
        Map<Integer, Integer> leaderCounts = new HashMap<>(ReplicaPlacer.preferredLeaderCounts(speculative.topics()));
        List<MetadataRecord> records = new ArrayList<>();
        CreateTopicsResponse.Builder response = CreateTopicsResponse.newBuilder().setError(ControllerErrors.ok());
        for (CreatableTopic topic : request.getTopicsList()) {
            CreatableTopicResult.Builder result = CreatableTopicResult.newBuilder().setName(topic.getName());
            if (nameCounts.get(topic.getName()) > 1) {
                response.addTopics(result.setErrorCode(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage("topic " + topic.getName() + " appears more than once in the request"));
                continue;
            }
            List<MetadataRecord> topicRecords = new ArrayList<>();
            String problem = createTopic(speculative, topic, usable, leaderCounts, topicRecords, result);
            if (problem == null) {
                records.addAll(topicRecords);
            }
            response.addTopics(result);
        }
        if (request.getValidateOnly()) {
            return new ControllerResult<>(List.of(), response.build());
        }
        return new ControllerResult<>(records, response.build());
    }

    /** Validates one topic and appends its records; returns null on success, else sets the error. */
    private String createTopic(MetadataImage speculative, CreatableTopic topic, List<UsableBroker> usable, Map<Integer, Integer> leaderCounts,
            List<MetadataRecord> records,
            CreatableTopicResult.Builder result) {
        String name = topic.getName();
        String problem = null;
        ErrorCode code = ErrorCode.NONE;
        if (!TOPIC_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            code = ErrorCode.INVALID_TOPIC_EXCEPTION;
            problem = "topic name '" + name + "' is invalid: use 1 to 249 characters of [a-zA-Z0-9._-], not '.' or '..'";
        } else if (speculative.topics().topic(name) != null) {
            code = ErrorCode.TOPIC_ALREADY_EXISTS;
            problem = "topic " + name + " already exists";
        }
        List<List<Integer>> assignment = null;
        if (problem == null && topic.getAssignmentsCount() > 0) {
            if (topic.getNumPartitions() != -1 || topic.getReplicationFactor() != -1) {
                code = ErrorCode.INVALID_REQUEST;
                problem = "give either a replica assignment or partitions and replication factor, not both";
            } else {
                assignment = new ArrayList<>();
                problem = checkAssignment(speculative, topic.getAssignmentsList(), assignment);
                code = problem == null ? ErrorCode.NONE : ErrorCode.INVALID_REPLICA_ASSIGNMENT;
            }
        }
        int partitions = topic.getNumPartitions() == -1 ? config.numPartitions() : topic.getNumPartitions();
        int rf = topic.getReplicationFactor() == -1 ? config.defaultReplicationFactor() : topic.getReplicationFactor();
        if (problem == null && assignment == null) {
            if (partitions < 1) {
                code = ErrorCode.INVALID_PARTITIONS;
                problem = "number of partitions must be at least 1, got " + partitions;
            } else if (rf < 1) {
                code = ErrorCode.INVALID_REPLICATION_FACTOR;
                problem = "replication factor must be at least 1, got " + rf;
            } else if (rf > usable.size()) {
                code = ErrorCode.INVALID_REPLICATION_FACTOR;
                problem = "replication factor " + rf + " is larger than the " + usable.size() + " available brokers";
            }
        }
        if (problem == null) {
            try {
                topicConfigs.parse(topic.getConfigsMap());
            } catch (ConfigException e) {
                code = ErrorCode.INVALID_CONFIG;
                problem = "invalid config for topic " + name + ": " + e.getMessage();
            }
        }
        if (problem != null) {
            result.setErrorCode(code).setErrorMessage(problem);
            return problem;
        }
        if (assignment == null) {
            assignment = place(usable, partitions, rf, leaderCounts);
        }
        UUID id = Uuids.random(random);
        records.add(MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder().setName(name)
                .setTopicId(Uuids.toProto(id))).build());
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> replicas = assignment.get(p);
            List<Integer> isr = new ArrayList<>();
            for (int replica : replicas) {
                if (speculative.cluster().isActive(replica)) {
                    isr.add(replica);
                }
            }
            if (isr.isEmpty()) {
                isr = replicas;
            }
            int leader = PartitionChanges.electFromIsr(replicas, isr, speculative.cluster()::isActive);
            records.add(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                    .setTopicId(Uuids.toProto(id)).setPartitionId(p).addAllReplicas(replicas).addAllIsr(isr)
                    .setLeader(leader).setLeaderEpoch(0).setPartitionEpoch(0)).build());
        }
        new TreeMap<>(topic.getConfigsMap()).forEach((key, value) -> records.add(MetadataRecord.newBuilder()
                .setConfig(ConfigRecord.newBuilder().setResourceType(ConfigResourceType.CONFIG_RESOURCE_TOPIC)
                        .setResourceName(name).setName(key).setValue(value)).build()));
        result.setTopicId(Uuids.toProto(id)).setErrorCode(ErrorCode.NONE).setNumPartitions(assignment.size())
                .setReplicationFactor(assignment.get(0).size());
        return null;
    }

    private static String checkAssignment(MetadataImage speculative, List<ReplicaAssignment> given, List<List<Integer>> out) {
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        for (ReplicaAssignment a : given) {
            if (byPartition.put(a.getPartition(), a.getBrokerIdsList()) != null) {
                return "partition " + a.getPartition() + " is assigned twice";
            }
        }
        int expected = 0;
        int size = -1;
        for (Map.Entry<Integer, List<Integer>> e : byPartition.entrySet()) {
            if (e.getKey() != expected++) {
                return "partitions must be numbered 0.." + (byPartition.size() - 1);
            }
            List<Integer> replicas = e.getValue();
            if (replicas.isEmpty()) {
                return "partition " + e.getKey() + " has no replicas";
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                return "partition " + e.getKey() + " lists a broker twice: " + replicas;
            }
            if (size != -1 && replicas.size() != size) {
                return "every partition must have the same number of replicas";
            }
            size = replicas.size();
            for (int broker : replicas) {
                if (speculative.cluster().broker(broker) == null) {
                    return "partition " + e.getKey() + " names broker " + broker + ", which is not registered";
                }
            }
            out.add(replicas);
        }
        return null;
    }

    ControllerResult<DeleteTopicsResponse> deleteTopics(MetadataImage speculative, DeleteTopicsRequest request) {
        List<MetadataRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        DeleteTopicsResponse.Builder response = DeleteTopicsResponse.newBuilder().setError(ControllerErrors.ok());
        for (String name : request.getNamesList()) {
            DeletableTopicResult.Builder result = DeletableTopicResult.newBuilder().setName(name);
            TopicImage topic = speculative.topics().topic(name);
            if (topic == null) {
                result.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).setErrorMessage("topic " + name + " does not exist");
            } else {
                result.setTopicId(Uuids.toProto(topic.id())).setErrorCode(ErrorCode.NONE);
                if (seen.add(name)) {
                    records.add(MetadataRecord.newBuilder().setRemoveTopic(RemoveTopicRecord.newBuilder()
                            .setTopicId(Uuids.toProto(topic.id()))).build());
                }
            }
            response.addTopics(result);
        }
        return new ControllerResult<>(records, response.build());
    }

    ControllerResult<CreatePartitionsResponse> createPartitions(MetadataImage speculative, CreatePartitionsRequest request) {
        List<UsableBroker> usable = UsableBroker.usableBrokers(speculative.cluster());
        Map<Integer, Integer> leaderCounts = new HashMap<>(ReplicaPlacer.preferredLeaderCounts(speculative.topics()));
        List<MetadataRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        CreatePartitionsResponse.Builder response = CreatePartitionsResponse.newBuilder().setError(ControllerErrors.ok());
        for (CreatePartitionsTopic request1 : request.getTopicsList()) {
            CreatePartitionsTopicResult.Builder result = CreatePartitionsTopicResult.newBuilder().setName(request1.getName());
            TopicImage topic = speculative.topics().topic(request1.getName());
            if (!seen.add(request1.getName())) {
                result.setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage("topic " + request1.getName()
                        + " appears more than once in the request");
            } else if (topic == null) {
                result.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                        .setErrorMessage("topic " + request1.getName() + " does not exist");
            } else if (request1.getCount() <= topic.partitionCount()) {
                result.setErrorCode(ErrorCode.INVALID_PARTITIONS).setErrorMessage("topic " + topic.name() + " has "
                        + topic.partitionCount() + " partitions; the count can only grow, and " + request1.getCount()
                        + " is not more");
            } else {
                int rf = topic.partition(0).replicas().size();
                if (rf > usable.size()) {
                    result.setErrorCode(ErrorCode.INVALID_REPLICATION_FACTOR).setErrorMessage("topic " + topic.name()
                            + " has replication factor " + rf + " but only " + usable.size() + " brokers are available");
                } else {
                    List<List<Integer>> assignment = place(usable, request1.getCount() - topic.partitionCount(), rf, leaderCounts);
                    for (int i = 0; i < assignment.size(); i++) {
                        List<Integer> replicas = assignment.get(i);
                        records.add(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                                .setTopicId(Uuids.toProto(topic.id())).setPartitionId(topic.partitionCount() + i)
                                .addAllReplicas(replicas).addAllIsr(replicas).setLeader(replicas.get(0))).build());
                    }
                    result.setErrorCode(ErrorCode.NONE);
                }
            }
            response.addTopics(result);
        }
        if (request.getValidateOnly()) {
            return new ControllerResult<>(List.of(), response.build());
        }
        return new ControllerResult<>(records, response.build());
    }

    /** Replica lists for {@code partitions} new partitions, balancing preferred leaders cluster-wide. */
    private List<List<Integer>> place(List<UsableBroker> brokers, int partitions, int rf, Map<Integer, Integer> leaderCounts) {
        List<List<Integer>> assignment = ReplicaPlacer.placeAddedPartitions(brokers, partitions, rf, leaderCounts, random);
        for (List<Integer> replicas : assignment) {
            leaderCounts.merge(replicas.get(0), 1, Integer::sum);
        }
        return assignment;
    }
}
