package io.brook.replication.simulation;

import io.brook.api.v1.ErrorCode;
import io.brook.replication.PartitionLeaderState.IsrChange;
import io.brook.replication.simulation.Messages.AlterPartition;
import io.brook.replication.simulation.Messages.AlterPartitionAnswer;
import io.brook.replication.simulation.Messages.Heartbeat;
import io.brook.replication.simulation.Messages.HeartbeatAnswer;
import io.brook.replication.simulation.Messages.MetadataPush;
import io.brook.replication.simulation.Messages.PartitionImage;
import io.brook.replication.simulation.Messages.Register;
import io.brook.replication.simulation.Messages.RegisterAnswer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The controller of the simulated partition: the rules of the metadata-quorum module's
 * {@code ControllerLogic} and {@code PartitionChanges} for one partition, with a metadata log
 * that commits at once (the quorum itself is not simulated; it never fails, but it can be cut
 * off from brokers).
 *
 * <ul>
 *   <li>Brokers register with a new incarnation per process (refused while the old one's session
 *       is live), start fenced, and are unfenced by a heartbeat once they applied the metadata up
 *       to their registration. A new incarnation of a broker that was not fenced leaves the ISR.
 *   <li>A broker whose heartbeats stop for {@code sessionTimeoutMs} is fenced and leaves the ISR,
 *       which is never emptied (its last member stays).
 *   <li>A partition without an eligible leader gets the first eligible ISR replica in assignment
 *       order (eligible: registered and unfenced); none: offline. Unclean election is disabled.
 *       Every leader change bumps the leader epoch; every change bumps the partition epoch.
 *   <li>AlterPartition is refused from a stale incarnation, a non-leader, another leader epoch,
 *       or a stale partition epoch (INVALID_UPDATE_VERSION, with the current state); a new ISR
 *       member must be eligible. The answer carries the partition's state after the request.
 * </ul>
 *
 * Every change is published to the brokers at once (a push that may be lost) and with every
 * heartbeat answer. Not thread-safe.
 */
final class ModelController {
    /** How the controller talks to the world. */
    interface Context {
        long nowMs();

        void send(int to, Object message);

        boolean bug(SimulationBug bug);

        void trace(String event);
    }

    private final Context context;
    private final List<Integer> replicas;
    private final long sessionTimeoutMs;
    private final int[] incarnation;
    private final boolean[] registered;
    private final boolean[] fenced;
    private final long[] lastHeartbeatMs;
    private final long[] registrationIndex;
    private final long[] appliedIndex;

    private long index;
    private int leader;
    private int leaderEpoch;
    private int partitionEpoch;
    private List<Integer> isr;

    /** Every broker registered (incarnation 0) and unfenced; the first replica leads epoch 0 with the full ISR. */
    ModelController(Context context, List<Integer> replicas, long sessionTimeoutMs) {
        this.context = context;
        this.replicas = List.copyOf(replicas);
        this.sessionTimeoutMs = sessionTimeoutMs;
        int n = replicas.size();
        incarnation = new int[n];
        registered = new boolean[n];
        fenced = new boolean[n];
        lastHeartbeatMs = new long[n];
        registrationIndex = new long[n];
        appliedIndex = new long[n];
        for (int id : replicas) {
            registered[id] = true;
            registrationIndex[id] = id + 1;
        }
        index = n + 1;
        leader = replicas.get(0);
        leaderEpoch = 0;
        partitionEpoch = 0;
        isr = List.copyOf(replicas);
    }

    PartitionImage image() {
        return new PartitionImage(index, leader, leaderEpoch, partitionEpoch, isr);
    }

    List<Integer> isr() {
        return isr;
    }

    int leader() {
        return leader;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    void receive(int from, Object message) {
        if (message instanceof Register register) {
            onRegister(register);
        } else if (message instanceof Heartbeat heartbeat) {
            onHeartbeat(heartbeat);
        } else if (message instanceof AlterPartition alter) {
            onAlterPartition(alter);
        } else {
            throw new IllegalArgumentException("the controller got " + message);
        }
    }

    // ------------------------------------------------------------------------------ brokers

    private boolean active(int broker) {
        return registered[broker] && !fenced[broker];
    }

    private void onRegister(Register request) {
        int id = request.brokerId();
        long now = context.nowMs();
        if (registered[id] && request.incarnation() == incarnation[id]) {
            context.send(id, new RegisterAnswer(image())); // a retry of an accepted registration
            return;
        }
        if (registered[id] && request.incarnation() < incarnation[id]) {
            return; // an old process's request, arriving late
        }
        if (active(id) && now - lastHeartbeatMs[id] <= sessionTimeoutMs) {
            return; // DUPLICATE_BROKER_REGISTRATION: the old process's session is live; the broker retries
        }
        boolean oldProcessInIsr = active(id);
        incarnation[id] = request.incarnation();
        registered[id] = true;
        fenced[id] = true;
        lastHeartbeatMs[id] = now;
        appliedIndex[id] = -1;
        index++; // the registration record
        context.trace("controller registers " + id + " (incarnation " + request.incarnation() + "), fenced");
        if (oldProcessInIsr) {
            removeFromIsrAndElect(Set.of(id), "its old process is gone");
        }
        registrationIndex[id] = index;
        publish();
        context.send(id, new RegisterAnswer(image()));
    }

    private void onHeartbeat(Heartbeat request) {
        int id = request.brokerId();
        if (!registered[id] || request.incarnation() != incarnation[id]) {
            context.send(id, new HeartbeatAnswer(ErrorCode.STALE_BROKER_EPOCH, true, image()));
            return;
        }
        lastHeartbeatMs[id] = context.nowMs();
        appliedIndex[id] = Math.max(appliedIndex[id], request.appliedIndex());
        if (fenced[id] && appliedIndex[id] >= registrationIndex[id]) {
            fenced[id] = false;
            index++;
            context.trace("controller unfences " + id);
            if (leader < 0) {
                change(isr, b -> b == id || active(b), "broker " + id + " is back");
            }
            publish();
        }
        context.send(id, new HeartbeatAnswer(ErrorCode.NONE, fenced[id], image()));
    }

    /** Periodic: fences brokers whose session expired. */
    void tick() {
        long now = context.nowMs();
        Set<Integer> expired = new HashSet<>();
        for (int id : replicas) {
            if (active(id) && now - lastHeartbeatMs[id] > sessionTimeoutMs) {
                expired.add(id);
            }
        }
        if (expired.isEmpty()) {
            return;
        }
        for (int id : replicas) {
            if (expired.contains(id)) {
                fenced[id] = true;
            }
        }
        index++;
        context.trace("controller fences " + expired + " (no heartbeat for " + sessionTimeoutMs + " ms)");
        removeFromIsrAndElect(expired, "fenced");
        publish();
    }

    // ---------------------------------------------------------------------------- partition

    private void removeFromIsrAndElect(Set<Integer> removed, String why) {
        if (isr.stream().noneMatch(removed::contains) && !removed.contains(leader)) {
            return;
        }
        List<Integer> newIsr = new ArrayList<>();
        for (int id : isr) {
            if (!removed.contains(id)) {
                newIsr.add(id);
            }
        }
        if (newIsr.isEmpty()) {
            newIsr = isr; // never an empty ISR: its last member has every acknowledged record
        }
        change(newIsr, b -> !removed.contains(b) && active(b), why);
    }

    /** {@code PartitionChanges.change}: the new ISR and, if the leader cannot stay, an election. */
    private void change(List<Integer> newIsr, IntPredicate eligible, String why) {
        int newLeader = leader;
        List<Integer> isrAfter = List.copyOf(newIsr);
        boolean leaderStays = leader >= 0 && newIsr.contains(leader) && eligible.test(leader);
        if (!leaderStays) {
            newLeader = -1;
            for (int replica : replicas) {
                boolean candidate = context.bug(SimulationBug.ELECTION_IGNORES_ISR) || newIsr.contains(replica);
                if (candidate && eligible.test(replica)) {
                    newLeader = replica;
                    break;
                }
            }
            if (newLeader >= 0 && !newIsr.contains(newLeader)) {
                isrAfter = List.of(newLeader); // (only with ELECTION_IGNORES_ISR) as an unclean election
            }
        }
        if (newLeader == leader && isrAfter.equals(isr)) {
            return;
        }
        if (newLeader != leader && !context.bug(SimulationBug.ELECTION_KEEPS_LEADER_EPOCH)) {
            leaderEpoch++;
        }
        leader = newLeader;
        isr = isrAfter;
        partitionEpoch++;
        index++;
        context.trace("controller: " + why + " -> " + image());
    }

    private void onAlterPartition(AlterPartition request) {
        int id = request.brokerId();
        if (!registered[id] || request.incarnation() != incarnation[id]) {
            context.send(id, new AlterPartitionAnswer(request.requestId(), ErrorCode.STALE_BROKER_EPOCH, ErrorCode.NONE,
                    isr, leaderEpoch, partitionEpoch));
            return;
        }
        IsrChange change = request.change();
        ErrorCode error = ErrorCode.NONE;
        if (leader != id) {
            error = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        } else if (change.leaderEpoch() < leaderEpoch) {
            error = ErrorCode.FENCED_LEADER_EPOCH;
        } else if (change.leaderEpoch() > leaderEpoch) {
            error = ErrorCode.UNKNOWN_LEADER_EPOCH;
        } else if (change.partitionEpoch() != partitionEpoch) {
            error = ErrorCode.INVALID_UPDATE_VERSION;
        } else {
            error = checkNewIsr(change.newIsr(), id);
        }
        if (error == ErrorCode.NONE && !change.newIsr().equals(isr)) {
            isr = change.newIsr();
            partitionEpoch++;
            index++;
            context.trace("controller commits ISR " + isr + " from leader " + id + " -> " + image());
            publish();
        } else if (error != ErrorCode.NONE) {
            context.trace("controller refuses ISR " + change.newIsr() + " from " + id + ": " + error);
        }
        context.send(id, new AlterPartitionAnswer(request.requestId(), ErrorCode.NONE, error, isr, leaderEpoch,
                partitionEpoch));
    }

    private ErrorCode checkNewIsr(List<Integer> newIsr, int requester) {
        if (!newIsr.contains(requester) || new HashSet<>(newIsr).size() != newIsr.size()) {
            return ErrorCode.INVALID_REQUEST;
        }
        for (int id : newIsr) {
            if (!replicas.contains(id)) {
                return ErrorCode.INVALID_REQUEST;
            }
            if (!isr.contains(id) && !active(id)) {
                return ErrorCode.INELIGIBLE_REPLICA;
            }
        }
        return ErrorCode.NONE;
    }

    private void publish() {
        PartitionImage image = image();
        for (int id : replicas) {
            context.send(id, new MetadataPush(image));
        }
    }
}
