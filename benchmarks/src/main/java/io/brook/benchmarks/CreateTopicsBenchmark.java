package io.brook.benchmarks;

import io.brook.common.LoopbackPorts;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ConfigDefinitions;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.ControllerNode;
import io.brook.metadata.StorageFormatter;
import io.brook.metadata.Uuids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Create-topic throughput, batched (goal: at least 10,000 partitions/s): three controllers in this
 * JVM (real Ratis, real gRPC on 127.0.0.1, their own directories), three registered and unfenced
 * brokers, and a {@link ControllerClient} sending CreateTopics requests of {@code topics.per.request}
 * topics of {@code partitions} partitions, replication factor 3, with {@code in.flight} requests
 * outstanding, until {@code total.partitions} partitions exist. Each answer comes after its batch is
 * committed by the quorum. A plain main: one figure over one run.
 *
 * <p>Run: {@code mvn -B -ntp package -pl benchmarks -am -DskipTests && java -Xmx2g -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.CreateTopicsBenchmark} (system properties:
 * {@code total.partitions} = 100000, {@code topics.per.request} = 100, {@code partitions} = 10,
 * {@code in.flight} = 4).
 */
public final class CreateTopicsBenchmark {
    private CreateTopicsBenchmark() {}


    public static void main(String[] args) throws Exception {
        QuietLogs.apply();
        int total = Integer.getInteger("total.partitions", 100_000);
        int topicsPerRequest = Integer.getInteger("topics.per.request", 100);
        int partitions = Integer.getInteger("partitions", 10);
        int inFlight = Integer.getInteger("in.flight", 4);
        Path root = Files.createTempDirectory("brook-create-topics");
        String clusterId = StorageFormatter.randomClusterId(new Random());
        List<ControllerNode> nodes = new ArrayList<>();
        List<String> rpc = new ArrayList<>();
        ControllerClient client = null;
        try {
            StringBuilder voters = new StringBuilder();
            int[] rpcPorts = new int[3];
            for (int id = 1; id <= 3; id++) {
                voters.append(id == 1 ? "" : ",").append(id).append("@127.0.0.1:").append(LoopbackPorts.free());
                rpcPorts[id - 1] = LoopbackPorts.free();
                rpc.add("127.0.0.1:" + rpcPorts[id - 1]);
            }
            for (int id = 1; id <= 3; id++) {
                Path dir = root.resolve("controller-" + id);
                StorageFormatter.format(dir, clusterId, id, false);
                ControllerNode node = new ControllerNode(new ControllerNode.Settings(id, dir, "127.0.0.1", rpcPorts[id - 1],
                        ControllerNode.DEFINITIONS.parse(Map.of("controller.quorum.voters", voters.toString(),
                                "broker.session.timeout.ms", "600000")), ConfigDefinitions.of(), ConfigDefinitions.of()),
                        List.of());
                node.start();
                nodes.add(node);
            }
            client = ControllerClient.connect(rpc, Duration.ofSeconds(60));
            for (int broker = 1; broker <= 3; broker++) {
                RegisterBrokerResponse registered = client.registerBroker(RegisterBrokerRequest.newBuilder()
                        .setClusterId(clusterId).setBrokerId(broker).setIncarnationId(Uuids.toProto(UUID.randomUUID()))
                        .setRack("r" + broker).build()).get(60, TimeUnit.SECONDS);
                check(registered.getError().getCode());
                var beat = client.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder().setBrokerId(broker)
                        .setBrokerEpoch(registered.getBrokerEpoch()).setCurrentMetadataOffset(Long.MAX_VALUE).build())
                        .get(60, TimeUnit.SECONDS);
                check(beat.getError().getCode());
            }
            int requests = total / (topicsPerRequest * partitions);
            Semaphore window = new Semaphore(inFlight);
            List<CompletableFuture<CreateTopicsResponse>> answers = new ArrayList<>();
            System.out.printf(Locale.ROOT, "load average before: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
            long start = System.nanoTime();
            for (int r = 0; r < requests; r++) {
                CreateTopicsRequest.Builder request = CreateTopicsRequest.newBuilder();
                for (int t = 0; t < topicsPerRequest; t++) {
                    request.addTopics(CreatableTopic.newBuilder().setName("t-" + r + "-" + t)
                            .setNumPartitions(partitions).setReplicationFactor(3));
                }
                window.acquire();
                CompletableFuture<CreateTopicsResponse> answer = client.createTopics(request.build());
                answer.whenComplete((a, e) -> window.release());
                answers.add(answer);
            }
            int created = 0;
            for (CompletableFuture<CreateTopicsResponse> answer : answers) {
                CreateTopicsResponse response = answer.get(120, TimeUnit.SECONDS);
                check(response.getError().getCode());
                for (var topic : response.getTopicsList()) {
                    check(topic.getErrorCode());
                    created += topic.getNumPartitions();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "created %,d partitions (%,d topics in %d requests of %d, %d in flight, RF 3) "
                    + "in %.2f s: %,.0f partitions/s%n", created, requests * topicsPerRequest, requests, topicsPerRequest,
                    inFlight, seconds, created / seconds);
            System.out.printf(Locale.ROOT, "load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            if (client != null) {
                client.close();
            }
            List<Thread> closers = new ArrayList<>();
            for (ControllerNode node : nodes) {
                Thread t = new Thread(node::close);
                t.start();
                closers.add(t);
            }
            for (Thread t : closers) {
                t.join(30_000);
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static void check(ErrorCode code) {
        if (code != ErrorCode.NONE) {
            throw new IllegalStateException("request failed: " + code);
        }
    }
}
