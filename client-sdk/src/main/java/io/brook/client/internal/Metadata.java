package io.brook.client.internal;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.MetadataRequest;
import io.brook.client.BrookException;
import io.brook.client.NetworkException;
import io.brook.client.TimeoutException;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The client's view of the cluster. A refresh asks one broker after another — the brokers it knows
 * first, then the bootstrap servers — until one answers; the answer's topics replace the known
 * ones, except partitions in a leader epoch older than one already seen ({@link LeaderEpochs}):
 * those keep what was known, and the next refresh starts at the next broker, so that a broker cut
 * off from the controller does not keep answering. Thread-safe.
 */
public final class Metadata {
    private final Transport transport;
    private final List<String> bootstrap;
    private final Clock clock;
    private final long requestTimeoutMs;
    private final Backoff backoff;
    private volatile ClusterView view = ClusterView.EMPTY;
    private final LeaderEpochs epochs = new LeaderEpochs(); // guarded by this
    private String preferred; // guarded by this: the candidate asked first, the last that answered (a current view)

    public Metadata(Transport transport, List<String> bootstrap, Clock clock, long requestTimeoutMs, Backoff backoff) {
        this.transport = transport;
        this.bootstrap = List.copyOf(bootstrap);
        this.clock = clock;
        this.requestTimeoutMs = requestTimeoutMs;
        this.backoff = backoff;
        for (String server : bootstrap) {
            hostPort(server); // fails early on a malformed address
        }
    }

    public ClusterView view() {
        return view;
    }

    /** The connection to broker {@code id}, or null when the view does not know it. */
    public Connection connection(int brokerId) {
        BrokerEndpoint endpoint = view.brokers().get(brokerId);
        return endpoint == null ? null : transport.connection(endpoint.getHost(), endpoint.getPort());
    }

    /** A connection to any broker: a known one, else the first bootstrap server. */
    public Connection anyConnection() {
        List<String> candidates = candidates();
        String[] hostPort = hostPort(candidates.get(0));
        return transport.connection(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    /**
     * Calls {@code call} at one broker after another — the known ones, then the bootstrap servers,
     * starting at the last that answered — until one answers (a transport failure moves on to the
     * next); fails when none did. A broker that answered is asked first next time, so that a
     * cut-off one costs one timeout, not one per call.
     */
    public <R> CompletableFuture<R> askAny(java.util.function.Function<Connection, CompletableFuture<R>> call) {
        return askAny(call, candidates(), 0, null);
    }

    private <R> CompletableFuture<R> askAny(java.util.function.Function<Connection, CompletableFuture<R>> call,
            List<String> candidates, int index, Throwable last) {
        if (index >= candidates.size()) {
            return CompletableFuture.failedFuture(new NetworkException("no reachable broker among " + candidates
                    + (last == null ? "" : ": " + last.getMessage()), false, last));
        }
        String[] hostPort = hostPort(candidates.get(index));
        Connection connection = transport.connection(hostPort[0], Integer.parseInt(hostPort[1]));
        return call.apply(connection).handle((answer, error) -> {
            if (error != null) {
                return askAny(call, candidates, index + 1, Futures.unwrap(error));
            }
            synchronized (this) {
                preferred = candidates.get(index);
            }
            return CompletableFuture.completedFuture(answer);
        }).thenCompose(f -> f);
    }

    /** Asks for {@code topics} (all topics when empty) once; completes with the merged view. */
    public CompletableFuture<ClusterView> refresh(Collection<String> topics) {
        MetadataRequest request = MetadataRequest.newBuilder().addAllTopics(topics).build();
        return askAny(connection -> connection.metadata(request, requestTimeoutMs)).thenApply(response -> {
            ClusterView fresh = ClusterView.of(response, clock.nanoseconds());
            synchronized (this) {
                LeaderEpochs.Accepted accepted = epochs.accept(view, fresh);
                view = request.getTopicsCount() == 0 ? accepted.view() : view.merge(accepted.view());
                if (accepted.stale()) {
                    startAtSecond(); // the first is the one that answered
                }
                return view;
            }
        });
    }

    /**
     * Records that {@code partition} has been led in {@code leaderEpoch} (a committed offset's
     * epoch): a view that knows it only in an older epoch no longer names its leader, and answers
     * in older epochs are not taken (see {@link LeaderEpochs}).
     */
    public synchronized void observeLeaderEpoch(TopicPartition partition, int leaderEpoch) {
        view = epochs.observe(view, partition, leaderEpoch);
    }

    /**
     * Refreshes {@code topics} until {@code done} holds for the view, with backoff between tries,
     * for at most {@code timeoutMs}; throws {@link TimeoutException} (not indeterminate) after.
     */
    public ClusterView await(Collection<String> topics, Predicate<ClusterView> done, long timeoutMs, String what) {
        ClusterView current = view;
        if (done.test(current)) {
            return current;
        }
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Throwable last = null;
        for (int attempt = 0; ; attempt++) {
            long remaining = deadline - clock.nanoseconds();
            if (remaining <= 0 && attempt > 0) { // one look even with no time to wait
                throw new TimeoutException("timed out after " + timeoutMs + " ms waiting for " + what
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")"), false, last);
            }
            try {
                current = refresh(topics).get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
                if (done.test(current)) {
                    return current;
                }
            } catch (ExecutionException e) {
                last = e.getCause();
                if (last instanceof BrookException b && !b.retriable()) {
                    throw b;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrookException(io.brook.api.v1.ErrorCode.UNKNOWN_SERVER_ERROR, "interrupted", e);
            }
            long wait = Math.min(backoff.delayMs(attempt), TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()));
            if (wait > 0) {
                Futures.delay(wait);
            }
        }
    }

    /**
     * Makes the next call start at another broker than {@code address} when it would start there:
     * a group coordinator that stopped answering as one may be a broker cut off from the cluster,
     * whose stale metadata would name itself again.
     */
    public synchronized void avoid(String address) {
        if (candidates().get(0).equals(address)) {
            startAtSecond();
        }
    }

    /** Makes the second of the current candidates the first (the known brokers include the last answer's). */
    private synchronized void startAtSecond() {
        List<String> candidates = candidates();
        if (candidates.size() > 1) {
            preferred = candidates.get(1);
        }
    }

    /** The known brokers in id order, then the bootstrap servers; rotated to start at the preferred one. */
    private synchronized List<String> candidates() {
        Set<String> candidates = new LinkedHashSet<>();
        new TreeMap<>(view.brokers()).values().forEach(b -> candidates.add(b.getHost() + ":" + b.getPort()));
        candidates.addAll(bootstrap);
        List<String> list = new ArrayList<>(candidates);
        int first = preferred == null ? -1 : list.indexOf(preferred);
        if (first > 0) {
            Collections.rotate(list, -first);
        }
        return list;
    }

    /** {@code host:port} split; an IPv6 host in brackets keeps them off. */
    public static String[] hostPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new io.brook.common.ConfigException("bootstrap.servers", "Invalid address '" + address
                    + "' in bootstrap.servers: expected host:port.");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = address.substring(colon + 1);
        try {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new io.brook.common.ConfigException("bootstrap.servers", "Invalid port in '" + address
                    + "' in bootstrap.servers: expected 1-65535.");
        }
        return new String[] {host, port};
    }
}
