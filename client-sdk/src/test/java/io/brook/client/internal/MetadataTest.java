package io.brook.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.NetworkException;
import io.brook.client.TopicPartition;
import io.brook.common.ManualClock;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Which broker a refresh asks: the one that answered last, and never again one that answered stale. */
class MetadataTest {
    private static final String B1 = "127.0.0.1:9091";
    private static final String B2 = "127.0.0.1:9092";

    /** Metadata calls per address; each address answers with its supplier (null: a transport failure). */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Supplier<MetadataResponse>> answers = new ConcurrentHashMap<>();

    private final Transport transport = new Transport() {
        @Override
        public Connection connection(String host, int port) {
            String address = host + ":" + port;
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "address", "toString" -> address;
                        case "hashCode" -> address.hashCode();
                        case "equals" -> proxy == args[0];
                        case "metadata" -> {
                            calls.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
                            Supplier<MetadataResponse> answer = answers.get(address);
                            yield answer == null
                                    ? CompletableFuture.failedFuture(new NetworkException("unreachable " + address, true, null))
                                    : CompletableFuture.completedFuture(answer.get());
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        @Override
        public void close() {}
    };

    /** Brokers 1 and 2; t-0 led by {@code leader} in {@code epoch}. */
    private static MetadataResponse answer(int leader, int epoch) {
        return MetadataResponse.newBuilder().setClusterId("c")
                .addBrokers(BrokerEndpoint.newBuilder().setBrokerId(1).setHost("127.0.0.1").setPort(9091))
                .addBrokers(BrokerEndpoint.newBuilder().setBrokerId(2).setHost("127.0.0.1").setPort(9092))
                .addTopics(TopicMetadata.newBuilder().setName("t").setErrorCode(ErrorCode.NONE)
                        .addPartitions(PartitionMetadata.newBuilder().setPartition(0).setErrorCode(ErrorCode.NONE)
                                .setLeaderId(leader).setLeaderEpoch(epoch).addReplicas(1).addReplicas(2)))
                .build();
    }

    private Metadata metadata() {
        return new Metadata(transport, List.of(B1, B2), new ManualClock(), 1000, new Backoff(0, 0, new Random(1)));
    }

    private int calls(String address) {
        return calls.getOrDefault(address, new AtomicInteger()).get();
    }

    @Test
    void aBrokerThatAnsweredIsAskedFirstNextTimeSoAnUnreachableOneCostsOneFailure() throws Exception {
        answers.put(B2, () -> answer(2, 3));
        Metadata metadata = metadata();
        for (int i = 0; i < 3; i++) {
            assertEquals(2, metadata.refresh(List.of("t")).get().partition("t", 0).leader());
        }
        assertEquals(1, calls(B1), "broker 1 (unreachable) asked once");
        assertEquals(3, calls(B2));
    }

    @Test
    void afterAStaleAnswerTheNextRefreshAsksAnotherBroker() throws Exception {
        answers.put(B1, () -> answer(1, 2)); // cut off: still the leader of epoch 2 in its own view
        answers.put(B2, () -> answer(2, 3));
        Metadata metadata = metadata();
        metadata.observeLeaderEpoch(new TopicPartition("t", 0), 3); // a committed offset's epoch
        ClusterView first = metadata.refresh(List.of("t")).get();
        assertEquals(-1, first.partition("t", 0).leader(), "epoch 2 is older than the committed offset's");
        ClusterView second = metadata.refresh(List.of("t")).get();
        assertEquals(2, second.partition("t", 0).leader());
        assertEquals(3, second.partition("t", 0).leaderEpoch());
        assertEquals(1, calls(B1));
        assertEquals(1, calls(B2));
        ClusterView third = metadata.refresh(List.of("t")).get();
        assertEquals(2, third.partition("t", 0).leader(), "broker 2 answered last: asked first");
        assertEquals(1, calls(B1));
    }

    @Test
    void aBrokerToAvoidIsAskedAfterTheOthersNextTime() throws Exception {
        answers.put(B1, () -> answer(1, 3));
        answers.put(B2, () -> answer(1, 3));
        Metadata metadata = metadata();
        metadata.refresh(List.of("t")).get();
        assertEquals(1, calls(B1));
        metadata.avoid(B1); // e.g. it answered as the coordinator, then stopped being one
        metadata.refresh(List.of("t")).get();
        assertEquals(1, calls(B1));
        assertEquals(1, calls(B2));
        metadata.avoid(B1); // not the first candidate now: nothing changes
        metadata.refresh(List.of("t")).get();
        assertEquals(2, calls(B2));
    }
}
