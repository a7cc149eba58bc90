package io.brook.benchmarks;

import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import io.brook.api.internal.metadata.TopicRecord;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.SnapshotFormat;
import io.brook.metadata.Uuids;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * A metadata image with 100,000 partitions (10,000 topics of 10 partitions, replication factor 3,
 * on 30 brokers in 3 racks, 2 configs on every tenth topic): the size of its snapshot file (the
 * real {@link SnapshotFormat}), the time to load that snapshot (read, replay, build the image;
 * goal &lt; 2 s), and the heap the image holds (approximate: used heap after full GCs with and
 * without the image). A plain main: three one-shot figures, not a hot loop.
 *
 * <p>Run: {@code mvn -B -ntp package -pl benchmarks -am -DskipTests && java -Xmx2g -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.MetadataImageBenchmark} (system properties:
 * {@code topics} = 10000, {@code partitions} = 10, {@code loads} = 7).
 */
public final class MetadataImageBenchmark {
    private MetadataImageBenchmark() {}

    static MetadataImage build(int topics, int partitionsPerTopic, int brokers) {
        Random random = new Random(1);
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        for (int b = 0; b < brokers; b++) {
            delta.replay(MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
                    .setBrokerId(b).setIncarnationId(Uuids.toProto(new UUID(b, b))).setBrokerEpoch(100 + b)
                    .addEndpoints(Endpoint.newBuilder().setName("PLAINTEXT").setHost("broker-" + b + ".example")
                            .setPort(9092))
                    .setRack("rack-" + (b % 3))).build());
        }
        for (int t = 0; t < topics; t++) {
            UUID id = Uuids.random(random);
            String name = "topic-" + t;
            delta.replay(MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder().setName(name)
                    .setTopicId(Uuids.toProto(id))).build());
            for (int p = 0; p < partitionsPerTopic; p++) {
                int first = (t * partitionsPerTopic + p) % brokers;
                List<Integer> replicas = List.of(first, (first + 1) % brokers, (first + 2) % brokers);
                delta.replay(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                        .setTopicId(Uuids.toProto(id)).setPartitionId(p).addAllReplicas(replicas).addAllIsr(replicas)
                        .setLeader(first).setLeaderEpoch(3).setPartitionEpoch(7)).build());
            }
            if (t % 10 == 0) {
                delta.replay(config(name, "retention.ms", "86400000"));
                delta.replay(config(name, "cleanup.policy", "compact"));
            }
        }
        return delta.apply(new MetadataProvenance(1_000_000, 5));
    }

    private static MetadataRecord config(String topic, String key, String value) {
        return MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(ConfigResourceType.CONFIG_RESOURCE_TOPIC).setResourceName(topic).setName(key)
                .setValue(value)).build();
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    public static void main(String[] args) throws IOException {
        int topics = Integer.getInteger("topics", 10_000);
        int partitions = Integer.getInteger("partitions", 10);
        int loads = Integer.getInteger("loads", 7);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        long before = usedHeapAfterGc(memory);
        MetadataImage image = build(topics, partitions, 30);
        long after = usedHeapAfterGc(memory);
        System.out.printf(Locale.ROOT, "image: %d topics, %d partitions; heap held by the image ~ %.1f MiB%n",
                image.topics().topicsById().size(), image.topics().partitionCount(), (after - before) / 1048576.0);

        Path dir = Files.createTempDirectory("brook-image-bench");
        Path file = dir.resolve("snapshot.5_1000000");
        try {
            long writeStart = System.nanoTime();
            SnapshotFormat.writeFile(image, file);
            long writeMs = (System.nanoTime() - writeStart) / 1_000_000;
            System.out.printf(Locale.ROOT, "snapshot: %,d bytes (%.1f MiB), %d records, written in %d ms%n",
                    Files.size(file), Files.size(file) / 1048576.0, image.toRecords().size(), writeMs);
            long[] loadMs = new long[loads];
            for (int i = 0; i < loads; i++) {
                long start = System.nanoTime();
                SnapshotFormat.Loaded loaded = SnapshotFormat.readFile(file);
                loadMs[i] = (System.nanoTime() - start) / 1_000_000;
                if (!loaded.image().equals(image)) {
                    throw new IllegalStateException("the loaded image differs from the written one");
                }
            }
            long[] sorted = loadMs.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "snapshot load (read + replay + image), %d loads: median %d ms, min %d ms, "
                    + "max %d ms, first %d ms; all %s%n", loads, sorted[loads / 2], sorted[0], sorted[loads - 1], loadMs[0],
                    Arrays.toString(loadMs));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir.resolve("snapshot.5_1000000.tmp"));
            Files.deleteIfExists(dir);
        }
        List<Object> keep = new ArrayList<>();
        keep.add(image); // keep the image reachable until here
        System.out.println("done (" + keep.size() + ")");
    }
}
