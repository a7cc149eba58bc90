package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.CreateTopicResult;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.DeleteTopicResult;
import io.brook.api.v1.DeleteTopicsRequest;
import io.brook.api.v1.DeleteTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ListTopicsRequest;
import io.brook.api.v1.ListTopicsResponse;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import io.brook.common.ManualClock;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link BrookAdmin}'s retries and outcome reporting against scripted brokers: answers are
 * given in order, the clock moves only when a broker says so, backoff is 0 so nothing waits.
 */
class BrookAdminRetryTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void retriedCreateAnsweredTopicExistsAfterALostAnswerSaysTheFirstAttemptMayHaveCreatedIt() {
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        broker.creates.add(request -> CompletableFuture.failedFuture(
                new NetworkException("connection to 127.0.0.1:9092 failed: UNAVAILABLE", true, null)));
        broker.creates.add(request -> created("lost", ErrorCode.TOPIC_ALREADY_EXISTS, "topic lost already exists"));
        try (BrookAdmin admin = admin(broker)) {
            TopicExistsException e = assertThrows(TopicExistsException.class,
                    () -> admin.createTopics(List.of(new NewTopic("lost", 1, 1))));
            assertEquals("Topic 'lost' already exists. An earlier attempt of this call got no answer and may have "
                    + "created it.", e.getMessage());
        }
        assertEquals(2, broker.createRequests.size());
    }

    @Test
    void aRetryRefusedAfterALostAnswerIsIndeterminateNotARefusal() {
        // Found by the chaos harness's metadata workload: the first attempt created the topic but its
        // answer was lost; a broker was fenced meanwhile and the retry was refused for too few
        // brokers. Reporting that refusal as a definite failure said "not created" of a topic that was.
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        broker.creates.add(request -> CompletableFuture.failedFuture(
                new TimeoutException("no answer in time (broker 127.0.0.1:9092)", true)));
        broker.creates.add(request -> created("t", ErrorCode.INVALID_REPLICATION_FACTOR,
                "replication factor 3 is larger than the 2 available brokers"));
        try (BrookAdmin admin = admin(broker)) {
            TimeoutException e = assertThrows(TimeoutException.class,
                    () -> admin.createTopics(List.of(new NewTopic("t", 1, 3))));
            assertTrue(e.indeterminate(), "the first attempt may have created it");
            assertEquals("Could not create topic 't': an earlier attempt of this call got no answer and may have "
                    + "created it; the retry was refused: replication factor 3 is larger than the 2 available brokers.",
                    e.getMessage());
        }
    }

    @Test
    void aRefusalForWhatTheRequestSaysStaysDefiniteEvenAfterALostAnswer() {
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        broker.creates.add(request -> CompletableFuture.failedFuture(
                new TimeoutException("no answer in time (broker 127.0.0.1:9092)", true)));
        broker.creates.add(request -> created("t", ErrorCode.INVALID_CONFIG, "unknown topic config 'x.y'"));
        try (BrookAdmin admin = admin(broker)) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> admin.createTopics(List.of(new NewTopic("t", 1, 1, Map.of("x.y", "1")))));
            assertTrue(!e.indeterminate(), "the first attempt was refused just the same");
        }
    }

    @Test
    void aRefusalOfTheFirstAttemptStaysADefiniteFailure() {
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        broker.creates.add(request -> created("t", ErrorCode.INVALID_REPLICATION_FACTOR,
                "replication factor 3 is larger than the 2 available brokers"));
        try (BrookAdmin admin = admin(broker)) {
            InvalidReplicationFactorException e = assertThrows(InvalidReplicationFactorException.class,
                    () -> admin.createTopics(List.of(new NewTopic("t", 1, 3))));
            assertTrue(!e.indeterminate());
        }
    }

    @Test
    void onlyTheItemsAnsweredWithARetriableCodeAreSentAgain() {
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        broker.creates.add(request -> CompletableFuture.completedFuture(CreateTopicsResponse.newBuilder()
                .addTopics(result("a", ErrorCode.NONE, "")).addTopics(result("b", ErrorCode.NOT_CONTROLLER, "moved"))
                .build()));
        broker.creates.add(request -> created("b", ErrorCode.NONE, ""));
        try (BrookAdmin admin = admin(broker)) {
            List<CreatedTopic> created = admin.createTopics(List.of(new NewTopic("a", 1, 1), new NewTopic("b", 1, 1)));
            assertEquals(List.of("a", "b"), created.stream().map(CreatedTopic::name).toList());
        }
        assertEquals(List.of("b"), broker.createRequests.get(1).getTopicsList().stream()
                .map(io.brook.api.v1.NewTopic::getName).toList());
    }

    @Test
    void createThatTimesOutOnTheControllerUntilTheDeadlineIsAnIndeterminateTimeout() {
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> slow = request -> {
            clock.advance(400);
            return created("slow", ErrorCode.REQUEST_TIMED_OUT, "No active controller answered in time");
        };
        for (int i = 0; i < 10; i++) {
            broker.creates.add(slow);
        }
        try (BrookAdmin admin = admin(broker)) {
            TimeoutException e = assertThrows(TimeoutException.class,
                    () -> admin.createTopics(List.of(new NewTopic("slow", 1, 1))));
            assertTrue(e.indeterminate(), "the controller may have created it");
            assertTrue(e.getMessage().startsWith("Could not create topic 'slow': no final answer within 1000 ms"),
                    e.getMessage());
        }
        assertEquals(3, broker.createRequests.size(), "at 0, 400 and 800 ms; the deadline passed at 1200");
    }

    @Test
    void aBrokerThatFailsMovesTheCallsToTheNextBootstrapServer() {
        ScriptedBroker down = new ScriptedBroker("127.0.0.1:9092");
        down.lists.add(request -> CompletableFuture.failedFuture(
                new NetworkException("connection to 127.0.0.1:9092 failed: UNAVAILABLE", true, null)));
        ScriptedBroker up = new ScriptedBroker("127.0.0.1:9093");
        up.lists.add(request -> CompletableFuture.completedFuture(ListTopicsResponse.newBuilder()
                .addTopics(io.brook.api.v1.TopicListing.newBuilder().setName("t").setPartitions(1)).build()));
        up.lists.add(request -> CompletableFuture.completedFuture(ListTopicsResponse.getDefaultInstance()));
        try (BrookAdmin admin = admin(down, up)) {
            assertEquals(List.of("t"), admin.listTopics(false).stream().map(TopicListing::name).toList());
            assertEquals(List.of(), admin.listTopics(false), "the next call stays on the broker that answered");
        }
        assertEquals(1, down.listRequests);
    }

    @Test
    void retriedDeleteAnsweredUnknownTopicAfterALostAnswerSaysTheFirstAttemptMayHaveDeletedIt() {
        ScriptedBroker broker = new ScriptedBroker("127.0.0.1:9092");
        broker.deletes.add(request -> CompletableFuture.failedFuture(
                new TimeoutException("no answer in time (broker 127.0.0.1:9092)", true)));
        broker.deletes.add(request -> CompletableFuture.completedFuture(DeleteTopicsResponse.newBuilder()
                .addTopics(DeleteTopicResult.newBuilder().setName("gone")
                        .setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).setErrorMessage("topic gone does not exist"))
                .build()));
        try (BrookAdmin admin = admin(broker)) {
            UnknownTopicOrPartitionException e = assertThrows(UnknownTopicOrPartitionException.class,
                    () -> admin.deleteTopics(List.of("gone")));
            assertEquals("Topic 'gone' does not exist. An earlier attempt of this call got no answer and may have "
                    + "deleted it.", e.getMessage());
        }
    }

    private BrookAdmin admin(ScriptedBroker... brokers) {
        List<String> addresses = new ArrayList<>();
        for (ScriptedBroker broker : brokers) {
            addresses.add(broker.address);
        }
        Transport transport = new Transport() {
            @Override
            public Connection connection(String host, int port) {
                for (ScriptedBroker broker : brokers) {
                    if (broker.address.equals(host + ":" + port)) {
                        return broker.connection;
                    }
                }
                throw new AssertionError("no broker at " + host + ":" + port);
            }

            @Override
            public void close() {}
        };
        return new BrookAdmin(Map.of("bootstrap.servers", String.join(",", addresses), "default.api.timeout.ms", "1000",
                "retry.backoff.ms", "0"), transport, clock);
    }

    private static CompletableFuture<CreateTopicsResponse> created(String name, ErrorCode code, String message) {
        return CompletableFuture.completedFuture(CreateTopicsResponse.newBuilder().addTopics(result(name, code, message))
                .build());
    }

    private static CreateTopicResult result(String name, ErrorCode code, String message) {
        return CreateTopicResult.newBuilder().setName(name).setErrorCode(code).setErrorMessage(message)
                .setNumPartitions(1).setReplicationFactor(1).build();
    }

    /**
     * A broker whose create, delete and list answers are scripted, in order; metadata shows every
     * topic asked about as existing. Every other call fails as unexpected.
     */
    private static final class ScriptedBroker {
        final String address;
        final List<Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>>> creates = new ArrayList<>();
        final List<Function<DeleteTopicsRequest, CompletableFuture<DeleteTopicsResponse>>> deletes = new ArrayList<>();
        final List<Function<ListTopicsRequest, CompletableFuture<ListTopicsResponse>>> lists = new ArrayList<>();
        final List<CreateTopicsRequest> createRequests = new ArrayList<>();
        int listRequests;
        final Connection connection;

        ScriptedBroker(String address) {
            this.address = address;
            this.connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "address", "toString" -> address;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "createTopics" -> {
                            createRequests.add((CreateTopicsRequest) args[0]);
                            yield creates.remove(0).apply((CreateTopicsRequest) args[0]);
                        }
                        case "deleteTopics" -> deletes.remove(0).apply((DeleteTopicsRequest) args[0]);
                        case "listTopics" -> {
                            listRequests++;
                            yield lists.remove(0).apply((ListTopicsRequest) args[0]);
                        }
                        case "metadata" -> {
                            MetadataResponse.Builder response = MetadataResponse.newBuilder();
                            ((MetadataRequest) args[0]).getTopicsList().forEach(t ->
                                    response.addTopics(TopicMetadata.newBuilder().setName(t)));
                            yield CompletableFuture.completedFuture(response.build());
                        }
                        default -> CompletableFuture.failedFuture(new AssertionError("unexpected " + method.getName()));
                    });
        }
    }
}
