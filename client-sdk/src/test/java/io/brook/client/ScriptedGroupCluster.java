package io.brook.client;

import com.google.protobuf.ByteString;
import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.CommittedOffset;
import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.Coordinator;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.FetchTopicResponse;
import io.brook.api.v1.FindCoordinatorRequest;
import io.brook.api.v1.FindCoordinatorResponse;
import io.brook.api.v1.ListOffsetsPartition;
import io.brook.api.v1.ListOffsetsPartitionResponse;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListOffsetsTopic;
import io.brook.api.v1.ListOffsetsTopicResponse;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.OffsetCommitPartition;
import io.brook.api.v1.OffsetCommitPartitionResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopic;
import io.brook.api.v1.OffsetCommitTopicResponse;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicMetadata;
import io.brook.api.v1.TopicPartitions;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Two brokers in memory for the consumer-group tests: 127.0.0.1:9092 (broker 1, the leader of
 * every partition) and 127.0.0.1:9093 (broker 2); topics with in-memory logs of UTF-8 values; and
 * a scripted group coordinator at {@link #coordinator}. Every call is answered at once, on the
 * caller's thread, so a consumer driven on a manual clock runs deterministically.
 *
 * <p>Heartbeats are answered by the functions queued in {@link #heartbeatAnswers}, else by
 * {@link #defaultHeartbeat} (NONE, the request's epoch — 1 on a join, with an empty assignment —
 * and {@link #heartbeatIntervalMs}); commits by {@link #commitAnswers}, else accepted and stored in
 * {@link #committed}; OffsetFetch reads {@link #committed}. Every group call and every commit is
 * recorded in {@link #events} (in order, with what tests add themselves) and in {@link #calls}.
 */
final class ScriptedGroupCluster implements Transport {
    static final String BROKER_1 = "127.0.0.1:9092";
    static final String BROKER_2 = "127.0.0.1:9093";

    /** One group call: where it went and what it carried. */
    record Call(String address, Object request) {}

    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    /** A readable history: "find", "heartbeat epoch=1 owned=[t-0]", "commit t-0=3", plus the tests' own entries. */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> topics = new TreeMap<>();
    final Map<TopicPartition, List<String>> logs = new TreeMap<>();
    final Map<TopicPartition, Long> committed = new TreeMap<>();
    final Deque<Function<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>> heartbeatAnswers =
            new ArrayDeque<>();
    final Deque<Function<OffsetCommitRequest, OffsetCommitResponse>> commitAnswers = new ArrayDeque<>();
    /** A heartbeat left unanswered ({@link #holdHeartbeats}): the test answers it, on its own thread. */
    record Held(ConsumerGroupHeartbeatRequest request, CompletableFuture<ConsumerGroupHeartbeatResponse> answer) {}

    /** When true, heartbeats wait in {@link #held} for the test to answer them. */
    volatile boolean holdHeartbeats;
    final LinkedBlockingQueue<Held> held = new LinkedBlockingQueue<>();
    volatile String coordinator = BROKER_1;
    volatile int heartbeatIntervalMs = 3000;
    /** The leader of every partition and its epoch, as the up-to-date brokers describe them. */
    volatile int leader = 1;
    volatile int leaderEpoch = 7;
    /** The leader epochs committed with {@link #committed} (absent: -1). */
    final Map<TopicPartition, Integer> committedEpochs = new TreeMap<>();
    /**
     * A broker cut off from the controller (null: none): it answers metadata naming itself the
     * leader of every partition in epoch {@code leaderEpoch - 1}, and fetches from a log of only
     * {@link #staleLogSize} records, with OFFSET_OUT_OF_RANGE above it and UNKNOWN_LEADER_EPOCH
     * for a newer epoch — as a real one does.
     */
    volatile String staleBroker;
    volatile int staleLogSize;

    /** Adds {@code topic} with {@code partitions} empty partitions. */
    ScriptedGroupCluster topic(String topic, int partitions) {
        topics.put(topic, partitions);
        for (int p = 0; p < partitions; p++) {
            logs.put(new TopicPartition(topic, p), new ArrayList<>());
        }
        return this;
    }

    /** Appends records with these values to {@code partition}. */
    void append(TopicPartition partition, String... values) {
        logs.get(partition).addAll(List.of(values));
    }

    List<ConsumerGroupHeartbeatRequest> heartbeats() {
        return requests(ConsumerGroupHeartbeatRequest.class);
    }

    List<OffsetCommitRequest> commits() {
        return requests(OffsetCommitRequest.class);
    }

    long findCoordinatorCalls() {
        return requests(FindCoordinatorRequest.class).size();
    }

    <T> List<T> requests(Class<T> type) {
        synchronized (calls) {
            return calls.stream().map(Call::request).filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** An answer: NONE at {@code epoch} with exactly {@code assignment}. */
    static Function<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> assign(int epoch,
            TopicPartition... assignment) {
        return request -> ConsumerGroupHeartbeatResponse.newBuilder().setErrorCode(ErrorCode.NONE)
                .setMemberId(request.getMemberId()).setMemberEpoch(epoch).setHeartbeatIntervalMs(3000)
                .setHasAssignment(true).addAllAssignment(wire(List.of(assignment))).build();
    }

    /** An answer with an error code. */
    static Function<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> error(ErrorCode code) {
        return request -> ConsumerGroupHeartbeatResponse.newBuilder().setErrorCode(code)
                .setErrorMessage("scripted " + code).build();
    }

    ConsumerGroupHeartbeatResponse defaultHeartbeat(ConsumerGroupHeartbeatRequest request) {
        ConsumerGroupHeartbeatResponse.Builder answer = ConsumerGroupHeartbeatResponse.newBuilder()
                .setErrorCode(ErrorCode.NONE).setMemberId(request.getMemberId())
                .setMemberEpoch(request.getMemberEpoch() == 0 ? 1 : request.getMemberEpoch())
                .setHeartbeatIntervalMs(heartbeatIntervalMs);
        if (request.getMemberEpoch() == 0) {
            answer.setHasAssignment(true);
        }
        return answer.build();
    }

    static List<TopicPartitions> wire(List<TopicPartition> partitions) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition p : new TreeSet<>(partitions)) {
            byTopic.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p.partition());
        }
        List<TopicPartitions> wire = new ArrayList<>();
        byTopic.forEach((t, ps) -> wire.add(TopicPartitions.newBuilder().setTopic(t).addAllPartitions(ps).build()));
        return wire;
    }

    static List<TopicPartition> partitions(List<TopicPartitions> wire) {
        List<TopicPartition> partitions = new ArrayList<>();
        wire.forEach(t -> t.getPartitionsList().forEach(p -> partitions.add(new TopicPartition(t.getTopic(), p))));
        return partitions;
    }

    @Override
    public Connection connection(String host, int port) {
        String address = host + ":" + port;
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "address", "toString" -> address;
                    case "hashCode" -> address.hashCode();
                    case "equals" -> proxy == args[0];
                    case "metadata" -> CompletableFuture.completedFuture(metadata(address));
                    case "fetch" -> CompletableFuture.completedFuture(fetch(address, (FetchRequest) args[0]));
                    case "listOffsets" -> CompletableFuture.completedFuture(listOffsets((ListOffsetsRequest) args[0]));
                    case "findCoordinator" -> {
                        record(address, args[0], "find");
                        yield CompletableFuture.completedFuture(findCoordinator((FindCoordinatorRequest) args[0]));
                    }
                    case "consumerGroupHeartbeat" -> {
                        ConsumerGroupHeartbeatRequest request = (ConsumerGroupHeartbeatRequest) args[0];
                        record(address, request, describe(request));
                        if (holdHeartbeats) {
                            Held waiting = new Held(request, new CompletableFuture<>());
                            held.add(waiting);
                            yield waiting.answer();
                        }
                        if (!address.equals(coordinator)) {
                            yield CompletableFuture.completedFuture(error(ErrorCode.NOT_COORDINATOR).apply(request));
                        }
                        Function<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> answer;
                        synchronized (heartbeatAnswers) {
                            answer = heartbeatAnswers.poll();
                        }
                        yield CompletableFuture.completedFuture(answer != null ? answer.apply(request)
                                : defaultHeartbeat(request));
                    }
                    case "offsetCommit" -> {
                        OffsetCommitRequest request = (OffsetCommitRequest) args[0];
                        record(address, request, describe(request));
                        yield CompletableFuture.completedFuture(commit(address, request));
                    }
                    case "offsetFetch" -> {
                        record(address, args[0], "offset fetch");
                        yield CompletableFuture.completedFuture(offsetFetch(address, (OffsetFetchRequest) args[0]));
                    }
                    default -> CompletableFuture.failedFuture(new UnsupportedOperationException("not scripted: "
                            + method.getName()));
                });
    }

    private void record(String address, Object request, String event) {
        calls.add(new Call(address, request));
        events.add(event);
    }

    static String describe(ConsumerGroupHeartbeatRequest request) {
        return "heartbeat epoch=" + request.getMemberEpoch()
                + (request.getOwnedChanged() ? " owned=" + partitions(request.getOwnedPartitionsList()) : "");
    }

    static String describe(OffsetCommitRequest request) {
        StringBuilder text = new StringBuilder("commit");
        for (OffsetCommitTopic topic : request.getTopicsList()) {
            for (OffsetCommitPartition p : topic.getPartitionsList()) {
                text.append(' ').append(topic.getTopic()).append('-').append(p.getPartition()).append('=')
                        .append(p.getOffset());
            }
        }
        return text.toString();
    }

    private static int brokerId(String address) {
        return address.equals(BROKER_1) ? 1 : 2;
    }

    private MetadataResponse metadata(String address) {
        boolean stale = address.equals(staleBroker);
        MetadataResponse.Builder response = MetadataResponse.newBuilder().setClusterId("c")
                .addBrokers(BrokerEndpoint.newBuilder().setBrokerId(1).setHost("127.0.0.1").setPort(9092))
                .addBrokers(BrokerEndpoint.newBuilder().setBrokerId(2).setHost("127.0.0.1").setPort(9093));
        topics.forEach((name, count) -> {
            TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName(name).setErrorCode(ErrorCode.NONE);
            for (int p = 0; p < count; p++) {
                topic.addPartitions(PartitionMetadata.newBuilder().setPartition(p).setErrorCode(ErrorCode.NONE)
                        .setLeaderId(stale ? brokerId(address) : leader).setLeaderEpoch(stale ? leaderEpoch - 1 : leaderEpoch)
                        .addReplicas(1).addReplicas(2).addIsr(1).addIsr(2));
            }
            response.addTopics(topic);
        });
        return response.build();
    }

    private FetchResponse fetch(String address, FetchRequest request) {
        boolean stale = address.equals(staleBroker);
        FetchResponse.Builder response = FetchResponse.newBuilder();
        for (FetchTopic topic : request.getTopicsList()) {
            FetchTopicResponse.Builder t = FetchTopicResponse.newBuilder().setTopic(topic.getTopic());
            for (FetchPartition p : topic.getPartitionsList()) {
                List<String> log = logs.get(new TopicPartition(topic.getTopic(), p.getPartition()));
                if (stale) {
                    log = log.subList(0, Math.min(staleLogSize, log.size()));
                    ErrorCode refusal = p.getCurrentLeaderEpoch() > leaderEpoch - 1 ? ErrorCode.UNKNOWN_LEADER_EPOCH
                            : p.getFetchOffset() > log.size() ? ErrorCode.OFFSET_OUT_OF_RANGE : ErrorCode.NONE;
                    if (refusal != ErrorCode.NONE) {
                        t.addPartitions(FetchPartitionResponse.newBuilder().setPartition(p.getPartition())
                                .setErrorCode(refusal).setErrorMessage("scripted stale broker " + address));
                        continue;
                    }
                }
                FetchPartitionResponse.Builder answer = FetchPartitionResponse.newBuilder()
                        .setPartition(p.getPartition()).setErrorCode(ErrorCode.NONE).setHighWatermark(log.size())
                        .setNextOffset(Math.max(p.getFetchOffset(), log.size()));
                if (p.getFetchOffset() < log.size()) {
                    RecordBatchBuilder batch = new RecordBatchBuilder(CompressionType.NONE)
                            .baseOffset(p.getFetchOffset()).partitionLeaderEpoch(stale ? leaderEpoch - 1 : leaderEpoch);
                    for (long offset = p.getFetchOffset(); offset < log.size(); offset++) {
                        batch.append(1000 + offset, null, log.get((int) offset).getBytes(StandardCharsets.UTF_8));
                    }
                    ByteBuffer bytes = batch.build();
                    answer.setRecordBatches(ByteString.copyFrom(bytes));
                }
                t.addPartitions(answer);
            }
            response.addTopics(t);
        }
        return response.build();
    }

    private ListOffsetsResponse listOffsets(ListOffsetsRequest request) {
        ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
        for (ListOffsetsTopic topic : request.getTopicsList()) {
            ListOffsetsTopicResponse.Builder t = ListOffsetsTopicResponse.newBuilder().setTopic(topic.getTopic());
            for (ListOffsetsPartition p : topic.getPartitionsList()) {
                int size = logs.get(new TopicPartition(topic.getTopic(), p.getPartition())).size();
                t.addPartitions(ListOffsetsPartitionResponse.newBuilder().setPartition(p.getPartition())
                        .setErrorCode(ErrorCode.NONE).setTimestamp(-1).setLeaderEpoch(leaderEpoch)
                        .setOffset(p.getTimestamp() == -1 ? size : 0));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    private FindCoordinatorResponse findCoordinator(FindCoordinatorRequest request) {
        String[] hostPort = coordinator.split(":");
        FindCoordinatorResponse.Builder response = FindCoordinatorResponse.newBuilder();
        for (String group : request.getGroupIdsList()) {
            response.addCoordinators(Coordinator.newBuilder().setGroupId(group).setErrorCode(ErrorCode.NONE)
                    .setNodeId(coordinator.equals(BROKER_1) ? 1 : 2).setHost(hostPort[0])
                    .setPort(Integer.parseInt(hostPort[1])));
        }
        return response.build();
    }

    private OffsetCommitResponse commit(String address, OffsetCommitRequest request) {
        if (!address.equals(coordinator)) {
            return OffsetCommitResponse.newBuilder().setErrorCode(ErrorCode.NOT_COORDINATOR).build();
        }
        Function<OffsetCommitRequest, OffsetCommitResponse> scripted;
        synchronized (commitAnswers) {
            scripted = commitAnswers.poll();
        }
        if (scripted != null) {
            return scripted.apply(request);
        }
        OffsetCommitResponse.Builder response = OffsetCommitResponse.newBuilder().setErrorCode(ErrorCode.NONE);
        for (OffsetCommitTopic topic : request.getTopicsList()) {
            OffsetCommitTopicResponse.Builder t = OffsetCommitTopicResponse.newBuilder().setTopic(topic.getTopic());
            for (OffsetCommitPartition p : topic.getPartitionsList()) {
                committed.put(new TopicPartition(topic.getTopic(), p.getPartition()), p.getOffset());
                committedEpochs.put(new TopicPartition(topic.getTopic(), p.getPartition()), p.getLeaderEpoch());
                t.addPartitions(OffsetCommitPartitionResponse.newBuilder().setPartition(p.getPartition())
                        .setErrorCode(ErrorCode.NONE));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    private OffsetFetchResponse offsetFetch(String address, OffsetFetchRequest request) {
        if (!address.equals(coordinator)) {
            return OffsetFetchResponse.newBuilder().setErrorCode(ErrorCode.NOT_COORDINATOR).build();
        }
        OffsetFetchResponse.Builder response = OffsetFetchResponse.newBuilder().setErrorCode(ErrorCode.NONE);
        for (TopicPartition p : partitions(request.getTopicsList())) {
            Long offset = committed.get(p);
            response.addOffsets(CommittedOffset.newBuilder().setTopic(p.topic()).setPartition(p.partition())
                    .setOffset(offset == null ? -1 : offset).setLeaderEpoch(committedEpochs.getOrDefault(p, -1)));
        }
        return response.build();
    }

    @Override
    public void close() {}
}
