package io.brook.client.internal;

import io.brook.client.PartitionInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Kafka's default partitioning. A key goes to {@code toPositive(murmur2(key)) % partitions} — the
 * same partition Kafka's producer picks, so keyed data lands alike in both systems. Records
 * without a key stick to one partition (chosen at random among those with a leader) until
 * {@code batch.size} bytes went there, then move on, so batches fill up. Thread-safe.
 */
public final class Partitioner {
    private final int stickyBytes;
    private final RandomGenerator random;
    private final Map<String, Sticky> sticky = new HashMap<>();

    private static final class Sticky {
        int partition = -1;
        long bytes;
    }

    public Partitioner(int stickyBytes, RandomGenerator random) {
        this.stickyBytes = Math.max(1, stickyBytes);
        this.random = random;
    }

    /** The partition for {@code keyBytes} among {@code partitionCount}. */
    public static int partitionForKey(byte[] keyBytes, int partitionCount) {
        return toPositive(murmur2(keyBytes)) % partitionCount;
    }

    /** The partition for a record without a key of {@code size} bytes. */
    public synchronized int stickyPartition(String topic, List<PartitionInfo> partitions, int size) {
        Sticky state = sticky.computeIfAbsent(topic, t -> new Sticky());
        if (state.partition < 0 || state.partition >= partitions.size() || state.bytes >= stickyBytes) {
            state.partition = choose(partitions, state.partition);
            state.bytes = 0;
        }
        state.bytes += size;
        return state.partition;
    }

    private int choose(List<PartitionInfo> partitions, int previous) {
        List<Integer> available = new ArrayList<>();
        for (PartitionInfo info : partitions) {
            if (!info.offline() && (info.partition() != previous || partitions.size() == 1)) {
                available.add(info.partition());
            }
        }
        if (available.isEmpty()) {
            int any = random.nextInt(partitions.size());
            return partitions.size() > 1 && any == previous ? (any + 1) % partitions.size() : any;
        }
        return available.get(random.nextInt(available.size()));
    }

    static int toPositive(int number) {
        return number & 0x7fffffff;
    }

    /** MurmurHash2, 32-bit, seed 0x9747b28c: the hash Kafka's partitioner uses. */
    public static int murmur2(byte[] data) {
        int length = data.length;
        final int m = 0x5bd1e995;
        final int r = 24;
        int h = 0x9747b28c ^ length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                    + ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = length4 * 4;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
