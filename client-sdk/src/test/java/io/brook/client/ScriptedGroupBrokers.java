package io.brook.client;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.Coordinator;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FindCoordinatorRequest;
import io.brook.api.v1.FindCoordinatorResponse;
import io.brook.api.v1.ListOffsetsPartition;
import io.brook.api.v1.ListOffsetsPartitionResponse;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListOffsetsTopic;
import io.brook.api.v1.ListOffsetsTopicResponse;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import io.brook.common.ManualClock;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Scripted brokers for the admin client's group calls, in memory. Each broker serves metadata
 * (every broker, and the topics of {@link #topic}), FindCoordinator (from {@link #coordinators})
 * and ListOffsets (for the partitions it leads, from {@link #offsets}) by itself; every group call is answered by the next function scripted
 * for it with {@link #script}, in order, and recorded in {@link #calls}. An unscripted call fails
 * the test. The clock moves only when a script moves it.
 */
final class ScriptedGroupBrokers {
    final ManualClock clock = new ManualClock();
    final Map<Integer, Broker> brokers = new TreeMap<>();
    /** Topic name to the leader of each partition. */
    final Map<String, int[]> topics = new TreeMap<>();
    /** Per partition: {log start, log end (high watermark)}. */
    final Map<TopicPartition, long[]> offsets = new HashMap<>();
    /** Group id to the broker FindCoordinator names (COORDINATOR_NOT_AVAILABLE for others). */
    final Map<String, Integer> coordinators = new HashMap<>();
    /** Every group call and ListOffsets partition, in order: "describeGroups@1", "listOffsets@2 t-0 -1". */
    final List<String> calls = new ArrayList<>();

    /** A cluster of brokers 1..count at 127.0.0.1:9091+id. */
    ScriptedGroupBrokers(int count) {
        for (int id = 1; id <= count; id++) {
            brokers.put(id, new Broker(id, "127.0.0.1", 9091 + id));
        }
    }

    ScriptedGroupBrokers topic(String name, int... leaders) {
        topics.put(name, leaders);
        return this;
    }

    ScriptedGroupBrokers offsets(String topic, int partition, long logStart, long logEnd) {
        offsets.put(new TopicPartition(topic, partition), new long[] {logStart, logEnd});
        return this;
    }

    /** Answers the next call of {@code method} on broker {@code id} with {@code answer}(request). */
    @SuppressWarnings("unchecked")
    <Q, R> ScriptedGroupBrokers script(int id, String method, Function<Q, CompletableFuture<R>> answer) {
        brokers.get(id).scripts.computeIfAbsent(method, m -> new ArrayDeque<>())
                .add(request -> (CompletableFuture<Object>) (CompletableFuture<?>) answer.apply((Q) request));
        return this;
    }

    /** Answers the next call of {@code method} on broker {@code id} with {@code response}. */
    ScriptedGroupBrokers answer(int id, String method, Object response) {
        return script(id, method, request -> CompletableFuture.completedFuture(response));
    }

    /** Makes broker {@code coordinator} the one FindCoordinator names for {@code group} from now on. */
    ScriptedGroupBrokers coordinator(String group, int coordinator) {
        coordinators.put(group, coordinator);
        return this;
    }

    /** The requests {@code method} was called with on broker {@code id}, in order. */
    @SuppressWarnings("unchecked")
    <Q> List<Q> requests(int id, String method) {
        return (List<Q>) (List<?>) brokers.get(id).requests.getOrDefault(method, List.of());
    }

    BrookAdmin admin() {
        Transport transport = new Transport() {
            @Override
            public Connection connection(String host, int port) {
                for (Broker broker : brokers.values()) {
                    if (broker.host.equals(host) && broker.port == port) {
                        return broker.connection;
                    }
                }
                throw new AssertionError("no broker at " + host + ":" + port);
            }

            @Override
            public void close() {}
        };
        Broker first = brokers.values().iterator().next();
        return new BrookAdmin(Map.of("bootstrap.servers", first.host + ":" + first.port, "default.api.timeout.ms",
                "1000", "request.timeout.ms", "300", "retry.backoff.ms", "0"), transport, clock);
    }

    final class Broker {
        final int id;
        final String host;
        final int port;
        final Map<String, Deque<Function<Object, CompletableFuture<Object>>>> scripts = new HashMap<>();
        final Map<String, List<Object>> requests = new HashMap<>();
        final Connection connection;

        Broker(int id, String host, int port) {
            this.id = id;
            this.host = host;
            this.port = port;
            this.connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "address", "toString" -> host + ":" + port;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "metadata" -> CompletableFuture.completedFuture(metadata((MetadataRequest) args[0]));
                        case "findCoordinator" -> CompletableFuture.completedFuture(
                                findCoordinator((FindCoordinatorRequest) args[0]));
                        case "listOffsets" -> CompletableFuture.completedFuture(listOffsets((ListOffsetsRequest) args[0]));
                        default -> scripted(method.getName(), args[0]);
                    });
        }

        private CompletableFuture<Object> scripted(String method, Object request) {
            calls.add(method + "@" + id);
            requests.computeIfAbsent(method, m -> new ArrayList<>()).add(request);
            Deque<Function<Object, CompletableFuture<Object>>> queue = scripts.get(method);
            if (queue == null || queue.isEmpty()) {
                return CompletableFuture.failedFuture(new AssertionError("unscripted " + method + " on broker " + id));
            }
            return queue.poll().apply(request);
        }

        private MetadataResponse metadata(MetadataRequest request) {
            MetadataResponse.Builder response = MetadataResponse.newBuilder().setClusterId("c");
            brokers.values().forEach(b -> response.addBrokers(BrokerEndpoint.newBuilder().setBrokerId(b.id)
                    .setHost(b.host).setPort(b.port)));
            List<String> names = request.getTopicsCount() == 0 ? List.copyOf(topics.keySet()) : request.getTopicsList();
            for (String name : names) {
                int[] leaders = topics.get(name);
                if (leaders == null) {
                    response.addTopics(TopicMetadata.newBuilder().setName(name)
                            .setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
                    continue;
                }
                TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName(name).setErrorCode(ErrorCode.NONE);
                for (int p = 0; p < leaders.length; p++) {
                    topic.addPartitions(PartitionMetadata.newBuilder().setPartition(p).setErrorCode(ErrorCode.NONE)
                            .setLeaderId(leaders[p]).setLeaderEpoch(0).addReplicas(leaders[p]).addIsr(leaders[p]));
                }
                response.addTopics(topic);
            }
            return response.build();
        }

        private FindCoordinatorResponse findCoordinator(FindCoordinatorRequest request) {
            FindCoordinatorResponse.Builder response = FindCoordinatorResponse.newBuilder();
            for (String group : request.getGroupIdsList()) {
                calls.add("findCoordinator@" + id + " " + group);
                Broker coordinator = brokers.get(coordinators.getOrDefault(group, -1));
                response.addCoordinators(coordinator == null
                        ? Coordinator.newBuilder().setGroupId(group).setErrorCode(ErrorCode.COORDINATOR_NOT_AVAILABLE)
                                .setErrorMessage("no coordinator for " + group)
                        : Coordinator.newBuilder().setGroupId(group).setErrorCode(ErrorCode.NONE)
                                .setNodeId(coordinator.id).setHost(coordinator.host).setPort(coordinator.port));
            }
            return response.build();
        }

        private ListOffsetsResponse listOffsets(ListOffsetsRequest request) {
            ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
            for (ListOffsetsTopic topic : request.getTopicsList()) {
                ListOffsetsTopicResponse.Builder answer = ListOffsetsTopicResponse.newBuilder().setTopic(topic.getTopic());
                for (ListOffsetsPartition p : topic.getPartitionsList()) {
                    TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                    calls.add("listOffsets@" + id + " " + tp + " " + p.getTimestamp());
                    int[] leaders = topics.get(tp.topic());
                    long[] range = offsets.get(tp);
                    ListOffsetsPartitionResponse.Builder partition = ListOffsetsPartitionResponse.newBuilder()
                            .setPartition(p.getPartition()).setTimestamp(-1).setLeaderEpoch(0);
                    if (leaders == null || leaders[p.getPartition()] != id || range == null) {
                        partition.setErrorCode(ErrorCode.NOT_LEADER_OR_FOLLOWER).setOffset(-1);
                    } else {
                        partition.setErrorCode(ErrorCode.NONE).setOffset(p.getTimestamp() == -2 ? range[0] : range[1]);
                    }
                    answer.addPartitions(partition);
                }
                response.addTopics(answer);
            }
            return response.build();
        }
    }
}
