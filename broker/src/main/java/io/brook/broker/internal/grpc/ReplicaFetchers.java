package io.brook.broker.internal.grpc;

import io.brook.broker.internal.Flusher;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.ReplicaManager;
import io.brook.common.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/** One {@link ReplicaFetcher} per leader broker this broker follows partitions of. */
public final class ReplicaFetchers implements ReplicaManager.ReplicaFetchers, AutoCloseable {
    private final int localId;
    private final LongSupplier brokerEpoch;
    private final IntFunction<Optional<String>> addresses;
    private final Flusher groupCommit;
    private final Clock clock;
    private final Map<Integer, ReplicaFetcher> fetchers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param addresses a leader broker's {@code host:port} (its broker listener) from the metadata
     */
    public ReplicaFetchers(int localId, LongSupplier brokerEpoch, IntFunction<Optional<String>> addresses,
            Flusher groupCommit, Clock clock) {
        this.clock = clock;
        this.localId = localId;
        this.brokerEpoch = brokerEpoch;
        this.addresses = addresses;
        this.groupCommit = groupCommit;
    }

    @Override
    public synchronized void follow(Partition partition, int leaderId) {
        if (closed) {
            return;
        }
        fetchers.forEach((leader, fetcher) -> {
            if (leader != leaderId) {
                fetcher.remove(partition);
            }
        });
        fetchers.computeIfAbsent(leaderId, id -> new ReplicaFetcher(localId, id, brokerEpoch, addresses, groupCommit, clock))
                .add(partition);
    }

    @Override
    public synchronized void unfollow(Partition partition) {
        fetchers.values().forEach(fetcher -> fetcher.remove(partition));
    }

    @Override
    public synchronized void close() {
        closed = true;
        fetchers.values().forEach(ReplicaFetcher::close);
        fetchers.clear();
    }
}
