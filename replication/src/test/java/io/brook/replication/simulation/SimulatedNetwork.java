package io.brook.replication.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The in-memory transport between the three replicas (nodes 0..2) and the model controller
 * ({@link #CONTROLLER}), over the {@link Scheduler}. Faults are data drawn from the run's seed:
 *
 * <ul>
 *   <li><b>Delay and reordering</b>: every message gets its own random delay (plus, now and then,
 *       a long one), so two messages between the same nodes may arrive in either order.
 *       Replication streams are FIFO in runs with {@code fifoStreams} (as one HTTP/2 stream is)
 *       and reordered like the rest otherwise (stricter than gRPC).
 *   <li><b>Loss</b>: a request or answer is lost with probability {@code lossRate} (its sender
 *       times out and retries). A lost message on a replication stream breaks the stream, as a
 *       lost connection does: both ends learn it after a short while and the follower opens a new
 *       one.
 *   <li><b>Network partitions</b>: cut links lose every message sent over them, including those
 *       in flight when the cut happens, and break the streams over them.
 *   <li><b>Crashes</b>: a message to a process that is gone is lost, also when it restarted
 *       meanwhile (a new incarnation has new connections); its streams break. A request it sent
 *       before dying may still arrive.
 * </ul>
 *
 * <p>Not thread-safe.
 */
final class SimulatedNetwork {
    static final int CONTROLLER = 3;
    static final int NODES = 4;

    /** What the network needs from the world of nodes. */
    interface Nodes {
        boolean isUp(int node);

        /** Bumped on every restart of the node. */
        int incarnation(int node);

        void deliver(int from, int to, Object message);

        /** Stream {@code streamId}, which {@code node} is an end of, broke. */
        void streamBroken(int node, long streamId);
    }

    /** The seed's network faults. */
    record Settings(double lossRate, int maxDelayMs, double longDelayRate, int longDelayMs, boolean fifoStreams) {}

    /** A message in flight, as the trace shows it (rendered only when a trace is printed). */
    record Delivery(int from, int to, Object message) {
        @Override
        public String toString() {
            return "deliver " + from + "->" + to + " " + message;
        }
    }

    private record StreamEnd(long streamId, int node) {
        @Override
        public String toString() {
            return "stream " + streamId + " ends at " + node;
        }
    }

    private record Stream(int follower, int leader, int followerIncarnation, int leaderIncarnation) {}

    private final Scheduler scheduler;
    private final Random random;
    private Settings settings;
    private Nodes nodes;
    /** How many current faults cut each link (partitions may overlap); a link carries nothing while above 0. */
    private final int[][] cuts = new int[NODES][NODES];
    private final TreeMap<Long, Stream> streams = new TreeMap<>();
    /** Per stream and direction (key streamId * 2 + (to leader ? 1 : 0)): the last delivery time, for FIFO streams. */
    private final Map<Long, Long> lastDelivery = new HashMap<>();
    private long nextStreamId = 1;
    private long sent;
    private long lost;

    SimulatedNetwork(Scheduler scheduler, Random random, Settings settings) {
        this.scheduler = scheduler;
        this.random = random;
        this.settings = settings;
    }

    void attach(Nodes nodes) {
        this.nodes = nodes;
    }

    /** The faults are over: from now on nothing is lost and no delay is long (delays and reordering stay). */
    void calm() {
        settings = new Settings(0, settings.maxDelayMs(), 0, settings.longDelayMs(), settings.fifoStreams());
    }

    // -------------------------------------------------------------------------- partitions

    /** Cuts the link between {@code a} and {@code b} both ways; streams over it break. */
    void cut(int a, int b) {
        cuts[a][b]++;
        cuts[b][a]++;
        for (Map.Entry<Long, Stream> stream : new ArrayList<>(streams.entrySet())) {
            Stream s = stream.getValue();
            if ((s.follower() == a && s.leader() == b) || (s.follower() == b && s.leader() == a)) {
                breakStream(stream.getKey());
            }
        }
    }

    /** Ends one fault's cut of the link; it carries messages again when no other fault cuts it. */
    void heal(int a, int b) {
        cuts[a][b] = Math.max(0, cuts[a][b] - 1);
        cuts[b][a] = Math.max(0, cuts[b][a] - 1);
    }

    void healAll() {
        for (int[] row : cuts) {
            java.util.Arrays.fill(row, 0);
        }
    }

    private boolean isCut(int from, int to) {
        return cuts[from][to] > 0;
    }

    // ------------------------------------------------------------------------------ unary

    /** A request or an answer: delivered after a delay, or lost. */
    void send(int from, int to, Object message) {
        sent++;
        if (isCut(from, to) || !nodes.isUp(to) || random.nextDouble() < settings.lossRate()) {
            lost++;
            return;
        }
        int toIncarnation = nodes.incarnation(to);
        scheduler.schedule(delay(), new Delivery(from, to, message), () -> {
            if (isCut(from, to) || !nodes.isUp(to) || nodes.incarnation(to) != toIncarnation) {
                lost++;
                return;
            }
            nodes.deliver(from, to, message);
        });
    }

    // ---------------------------------------------------------------------------- streams

    /** A follower opens a replication stream to a leader. */
    long openStream(int follower, int leader) {
        long id = nextStreamId++;
        streams.put(id, new Stream(follower, leader, nodes.incarnation(follower), nodes.incarnation(leader)));
        return id;
    }

    /** A message on stream {@code streamId}; if it is lost, the stream breaks. */
    void sendOnStream(long streamId, int from, int to, Object message) {
        sent++;
        Stream stream = streams.get(streamId);
        if (stream == null) {
            return; // broken already: the sender learns it through streamBroken
        }
        if (isCut(from, to) || !nodes.isUp(to) || random.nextDouble() < settings.lossRate()) {
            lost++;
            breakStream(streamId);
            return;
        }
        long due = scheduler.nowMs() + delay();
        if (settings.fifoStreams()) {
            long key = streamId * 2 + (to == stream.leader() ? 1 : 0);
            due = Math.max(due, lastDelivery.getOrDefault(key, 0L));
            lastDelivery.put(key, due);
        }
        scheduler.schedule(due - scheduler.nowMs(), new Delivery(from, to, message), () -> {
            if (!streams.containsKey(streamId)) {
                lost++;
                return; // the stream broke meanwhile: gRPC delivers nothing of it any more
            }
            if (isCut(from, to) || !alive(stream)) {
                lost++;
                breakStream(streamId);
                return;
            }
            nodes.deliver(from, to, message);
        });
    }

    private boolean alive(Stream stream) {
        return nodes.isUp(stream.follower()) && nodes.isUp(stream.leader())
                && nodes.incarnation(stream.follower()) == stream.followerIncarnation()
                && nodes.incarnation(stream.leader()) == stream.leaderIncarnation();
    }

    /** Breaks a stream: each live end of it learns after a short while (a keepalive timeout). */
    void breakStream(long streamId) {
        Stream stream = streams.remove(streamId);
        if (stream == null) {
            return;
        }
        lastDelivery.remove(streamId * 2);
        lastDelivery.remove(streamId * 2 + 1);
        notifyEnd(stream.follower(), stream.followerIncarnation(), streamId);
        notifyEnd(stream.leader(), stream.leaderIncarnation(), streamId);
    }

    /** The follower closes its stream on purpose (it follows another leader now). */
    void closeStream(long streamId) {
        breakStream(streamId);
    }

    private void notifyEnd(int node, int incarnation, long streamId) {
        scheduler.schedule(1 + random.nextInt(20), new StreamEnd(streamId, node), () -> {
            if (nodes.isUp(node) && nodes.incarnation(node) == incarnation) {
                nodes.streamBroken(node, streamId);
            }
        });
    }

    /** A node crashed: its streams break (its peers learn it). */
    void onCrash(int node) {
        for (Map.Entry<Long, Stream> stream : new ArrayList<>(streams.entrySet())) {
            if (stream.getValue().follower() == node || stream.getValue().leader() == node) {
                breakStream(stream.getKey());
            }
        }
    }

    private long delay() {
        long delay = 1 + random.nextInt(settings.maxDelayMs());
        if (random.nextDouble() < settings.longDelayRate()) {
            delay += random.nextInt(settings.longDelayMs());
        }
        return delay;
    }

    long sentCount() {
        return sent;
    }

    long lostCount() {
        return lost;
    }
}
