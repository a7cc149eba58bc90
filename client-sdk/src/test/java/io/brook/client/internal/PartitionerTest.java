package io.brook.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.integers;

import io.brook.client.PartitionInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** The default partitioner puts a key where Kafka's would, and spreads keyless records stickily. */
class PartitionerTest {

    @Test
    void murmur2MatchesKnownVectors() {
        // Kafka's own test vectors (UtilsTest.testMurmur2).
        assertEquals(-973932308, murmur2("21"));
        assertEquals(-790332482, murmur2("foobar"));
        assertEquals(-985981536, murmur2("a-little-bit-long-string"));
        assertEquals(-1486304829, murmur2("a-little-bit-longer-string"));
        assertEquals(-58897971, murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"));
        assertEquals(479470107, murmur2("abc"));
    }

    private static byte[] bytes(List<Integer> values) {
        byte[] bytes = new byte[values.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = values.get(i).byteValue();
        }
        return bytes;
    }

    private static int murmur2(String text) {
        return Partitioner.murmur2(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anyKeyGoesToThePartitionKafkasPartitionerPicks() {
        qt().forAll(lists().of(integers().between(Byte.MIN_VALUE, Byte.MAX_VALUE)).ofSizeBetween(0, 64)
                        .map(PartitionerTest::bytes), integers().between(1, 1000))
                .checkAssert((key, partitions) -> {
                    assertEquals(Utils.murmur2(key), Partitioner.murmur2(key));
                    // Kafka's BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % partitions.
                    assertEquals(Utils.toPositive(Utils.murmur2(key)) % partitions,
                            Partitioner.partitionForKey(key, partitions));
                });
    }

    @Test
    void keylessRecordsStickToOnePartitionUntilABatchIsFullThenMoveOn() {
        List<PartitionInfo> partitions = partitions(4, -1);
        Partitioner partitioner = new Partitioner(1000, new Random(7));
        int first = partitioner.stickyPartition("t", partitions, 100);
        for (int i = 1; i < 10; i++) {
            assertEquals(first, partitioner.stickyPartition("t", partitions, 100), "record " + i);
        }
        int next = partitioner.stickyPartition("t", partitions, 100);
        assertNotEquals(first, next, "after batch.size bytes the partition changes");
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            seen.add(partitioner.stickyPartition("t", partitions, 100));
        }
        assertEquals(Set.of(0, 1, 2, 3), seen, "every partition gets keyless records over time");
    }

    @Test
    void keylessRecordsAvoidPartitionsWithoutALeader() {
        List<PartitionInfo> partitions = partitions(3, 1);
        Partitioner partitioner = new Partitioner(10, new Random(3));
        for (int i = 0; i < 500; i++) {
            assertTrue(partitioner.stickyPartition("t", partitions, 10) != 1, "partition 1 is offline");
        }
    }

    private static List<PartitionInfo> partitions(int count, int offline) {
        List<PartitionInfo> list = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            list.add(new PartitionInfo("t", p, p == offline ? -1 : 1, 0, List.of(1), List.of(1), List.of()));
        }
        return list;
    }
}
