package io.brook.replication;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.FollowerTruncation.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A first deterministic simulation of one partition's replication, built from the real
 * {@link PartitionLeaderState} and {@link FollowerTruncation} and a model of the rest: three
 * replicas with in-memory logs (every append durable, as with flush-on-ack), a model controller
 * that fences dead replicas out of the ISR and elects the first live ISR replica in assignment
 * order, ISR changes that reach the controller late or never, followers that fetch or stall, and
 * replicas that crash and come back. After every step:
 *
 * <ul>
 *   <li>an acknowledged (acks=all) record is in the current leader's log at its offset, while a
 *       leader exists;
 *   <li>the ISR replicas agree on every offset below the leader's high watermark;
 *   <li>the high watermark never decreases within a leader epoch;
 *   <li>there is at most one leader per epoch.
 * </ul>
 *
 * The followers run the real {@link PartitionFollowerState}; the network and the controller are
 * modelled here. {@code simulation.ReplicationProtocolSimulationTest} supersedes this: the broker's
 * whole replication protocol, flushes and crashes that lose unflushed data, reordering, network
 * partitions, a model controller with heartbeats and partition epochs.
 */
class ReplicationSimulationTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 2;
    private static final List<Integer> REPLICAS = List.of(0, 1, 2);
    private static final int MIN_ISR = 2;
    private static final long LAG_MAX = 100;

    /** One record: the leader epoch that wrote it and a unique value. */
    private record Entry(int epoch, int value) {}

    private static final class Replica {
        final int id;
        final List<Entry> log = new ArrayList<>();
        /** An epoch recorded at the log end with nothing written yet (a new leader's), or -1. */
        int emptyEpoch = -1;
        boolean alive = true;
        /** The real follower state machine while this replica follows; null while it leads or is down. */
        PartitionFollowerState following;

        Replica(int id) {
            this.id = id;
        }

        int latestEpoch() {
            return emptyEpoch >= 0 ? emptyEpoch : log.isEmpty() ? -1 : log.get(log.size() - 1).epoch();
        }

        /** As the storage engine answers OffsetForLeaderEpoch. */
        EpochEnd endOffsetFor(int e) {
            return EpochModel.endOffsetFor(log.stream().map(Entry::epoch).toList(), emptyEpoch, e);
        }

        void truncateTo(long offset) {
            while (log.size() > offset) {
                log.remove(log.size() - 1);
            }
            emptyEpoch = -1; // an epoch recorded at the old log end is not this log's any more
        }
    }

    /** The controller's view of the partition. */
    private static final class Controller {
        int leader = -1;
        int leaderEpoch = -1;
        int partitionEpoch;
        List<Integer> isr = new ArrayList<>(REPLICAS);
    }

    @Test
    void acknowledgedRecordsSurviveAndIsrReplicasAgreeBelowTheHighWatermark() {
        qt().withExamples(EXAMPLES)
                .forAll(integers().between(0, 1_000_000), lists().of(integers().between(0, 99)).ofSizeBetween(1, 200))
                .checkAssert(ReplicationSimulationTest::run);
    }

    private static void run(int seed, List<Integer> ops) {
        new Simulation(seed).run(ops);
    }

    private static final class Simulation {
        final Random random;
        final Map<Integer, Replica> replicas = new HashMap<>();
        final Controller controller = new Controller();
        final Map<Integer, Integer> acked = new HashMap<>(); // offset -> value
        final Map<Integer, Integer> leaderOfEpoch = new HashMap<>();
        final List<String> story = new ArrayList<>();
        PartitionLeaderState leaderState;
        long now;
        int nextValue;
        long hwInEpoch = -1;
        /** acks=all produces waiting for the HW: last offset -> value. */
        final Map<Long, Integer> waiting = new HashMap<>();

        Simulation(int seed) {
            this.random = new Random(seed);
            for (int id : REPLICAS) {
                replicas.put(id, new Replica(id));
            }
            elect();
        }

        void run(List<Integer> ops) {
            for (int op : ops) {
                String step;
                if (op < 25) {
                    step = produce();
                } else if (op < 60) {
                    step = fetch(REPLICAS.get(random.nextInt(3)));
                } else if (op < 70) {
                    long ms = random.nextInt((int) LAG_MAX);
                    now += ms;
                    step = "time +" + ms;
                } else if (op < 80) {
                    step = isrChange();
                } else if (op < 88) {
                    step = crash(REPLICAS.get(random.nextInt(3)));
                } else if (op < 96) {
                    step = restart(REPLICAS.get(random.nextInt(3)));
                } else {
                    step = "controller fences dead replicas";
                    fenceDead();
                }
                story.add(step);
                completeWaiting();
                checkInvariants();
            }
        }

        Replica leader() {
            return controller.leader < 0 ? null : replicas.get(controller.leader);
        }

        /** The model controller's election: first live ISR replica in assignment order; new epoch. */
        void elect() {
            int chosen = -1;
            for (int id : REPLICAS) {
                if (controller.isr.contains(id) && replicas.get(id).alive) {
                    chosen = id;
                    break;
                }
            }
            controller.leader = chosen;
            controller.leaderEpoch++;
            controller.partitionEpoch++;
            waiting.clear(); // a new leader answers nothing of the old one's (the client retries)
            if (chosen < 0) {
                leaderState = null;
                return;
            }
            leaderOfEpoch.merge(controller.leaderEpoch, chosen, (a, b) -> {
                throw new AssertionError("two leaders in epoch " + controller.leaderEpoch);
            });
            Replica leader = replicas.get(chosen);
            leader.emptyEpoch = controller.leaderEpoch; // PartitionLog.assignLeaderEpoch at takeover
            leader.following = null;
            // A new leader starts from HW 0 here (a real one starts from the HW it knew as a follower):
            // only its followers' fetches in this epoch move it.
            leaderState = new PartitionLeaderState(chosen, REPLICAS, controller.isr, controller.leaderEpoch,
                    controller.partitionEpoch, MIN_ISR, LAG_MAX, leader.log.size(), 0, now);
            hwInEpoch = leaderState.highWatermark();
            story.add("elected " + chosen + " in epoch " + controller.leaderEpoch + " with ISR " + controller.isr);
        }

        String produce() {
            Replica leader = leader();
            if (leader == null || !leader.alive || leaderState == null) {
                return "produce: no leader";
            }
            if (leaderState.checkBeforeAppend(-1) != io.brook.api.v1.ErrorCode.NONE) {
                return "produce refused: NOT_ENOUGH_REPLICAS";
            }
            int value = nextValue++;
            leader.log.add(new Entry(controller.leaderEpoch, value));
            leader.emptyEpoch = -1;
            leaderState.onLeaderAppend(leader.log.size());
            waiting.put((long) leader.log.size() - 1, value);
            return "produce " + value + " at " + (leader.log.size() - 1);
        }

        void completeWaiting() {
            if (leaderState == null) {
                return;
            }
            for (Map.Entry<Long, Integer> w : new ArrayList<>(waiting.entrySet())) {
                PartitionLeaderState.Completion c = leaderState.completionOf(w.getKey());
                if (c == PartitionLeaderState.Completion.DONE) {
                    acked.put(w.getKey().intValue(), w.getValue());
                    waiting.remove(w.getKey());
                } else if (c == PartitionLeaderState.Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND) {
                    waiting.remove(w.getKey());
                }
            }
        }

        String fetch(int id) {
            Replica follower = replicas.get(id);
            Replica leader = leader();
            if (leader == null || id == controller.leader || !follower.alive || !leader.alive) {
                return "fetch by " + id + ": nothing to do";
            }
            if (random.nextInt(6) == 0) {
                return "fetch by " + id + ": lost";
            }
            if (follower.following == null) {
                follower.following = new PartitionFollowerState(controller.leader, controller.leaderEpoch);
            } else {
                follower.following.onLeaderChange(controller.leader, controller.leaderEpoch);
            }
            java.util.OptionalInt latest = follower.latestEpoch() < 0 ? java.util.OptionalInt.empty()
                    : java.util.OptionalInt.of(follower.latestEpoch());
            PartitionFollowerState.Action action = follower.following.next(latest, follower.log.size());
            if (action instanceof PartitionFollowerState.AskEpochEnd ask) {
                EpochEnd answer = leader.endOffsetFor(ask.epoch());
                Step step = follower.following.onEpochEnd(ask.epoch(), answer, follower::endOffsetFor,
                        follower.log.size());
                if (step.isRetry()) {
                    return "follower " + id + " asks about epoch " + ask.epoch() + ": no answer yet";
                }
                follower.truncateTo(step.truncateTo());
                return "follower " + id + " truncates to " + step.truncateTo() + (step.done() ? " (reconciled)" : "");
            }
            long offset = follower.log.size();
            if (offset > leader.log.size()) {
                throw new AssertionError("a reconciled follower is ahead of its leader");
            }
            int count = random.nextInt(4);
            for (int i = 0; i < count && offset + i < leader.log.size(); i++) {
                follower.log.add(leader.log.get((int) offset + i));
            }
            leaderState.onFollowerFetch(id, offset, now);
            // The next fetch reports what this one appended; report it now half of the time.
            if (random.nextBoolean()) {
                leaderState.onFollowerFetch(id, follower.log.size(), now);
            }
            return "follower " + id + " fetches at " + offset + ", gets " + (follower.log.size() - offset);
        }

        String isrChange() {
            if (leaderState == null || !leader().alive) {
                return "ISR change: no leader";
            }
            Optional<PartitionLeaderState.IsrChange> pending = leaderState.pendingIsrChange();
            if (pending.isEmpty()) {
                Optional<PartitionLeaderState.IsrChange> proposed = leaderState.proposeIsrChange(now);
                return "leader proposes " + proposed.map(c -> c.newIsr().toString()).orElse("nothing");
            }
            PartitionLeaderState.IsrChange change = pending.get();
            if (change.partitionEpoch() != controller.partitionEpoch || change.leaderEpoch() != controller.leaderEpoch) {
                leaderState.onIsrChangeFailed();
                return "controller refuses a stale ISR change";
            }
            for (int r : change.newIsr()) {
                if (!controller.isr.contains(r) && !replicas.get(r).alive) {
                    leaderState.onIsrChangeFailed();
                    return "controller refuses ineligible replica " + r;
                }
            }
            controller.isr = new ArrayList<>(change.newIsr());
            controller.partitionEpoch++;
            leaderState.onIsrChangeCommitted(controller.isr, controller.partitionEpoch);
            return "controller commits ISR " + controller.isr;
        }

        String crash(int id) {
            Replica replica = replicas.get(id);
            if (!replica.alive) {
                return "crash " + id + ": already down";
            }
            replica.alive = false;
            return "crash " + id;
        }

        String restart(int id) {
            Replica replica = replicas.get(id);
            if (replica.alive) {
                return "restart " + id + ": already up";
            }
            replica.alive = true;
            replica.following = null; // a restarted follower reconciles from scratch
            if (controller.leader < 0) {
                elect();
            }
            return "restart " + id;
        }

        /** The controller's session timeout: dead replicas leave the ISR (never emptying it). */
        void fenceDead() {
            List<Integer> isr = new ArrayList<>();
            for (int r : controller.isr) {
                if (replicas.get(r).alive) {
                    isr.add(r);
                }
            }
            if (isr.isEmpty()) {
                isr = controller.isr; // the last member stays: it has every acknowledged record
            }
            boolean changed = !isr.equals(controller.isr);
            controller.isr = new ArrayList<>(isr);
            boolean leaderDead = controller.leader >= 0 && !replicas.get(controller.leader).alive;
            if (leaderDead || (controller.leader < 0)) {
                elect();
            } else if (changed) {
                controller.partitionEpoch++;
                leaderState.onIsrChangeCommitted(controller.isr, controller.partitionEpoch);
            }
        }

        void checkInvariants() {
            Replica leader = leader();
            if (leader != null && leaderState != null) {
                for (Map.Entry<Integer, Integer> a : acked.entrySet()) {
                    int offset = a.getKey();
                    check(offset < leader.log.size() && leader.log.get(offset).value() == a.getValue(),
                            "acknowledged value " + a.getValue() + " at " + offset + " is not in leader "
                                    + leader.id + "'s log " + leader.log);
                }
                long hw = leaderState.highWatermark();
                check(hw >= hwInEpoch, "the HW went back from " + hwInEpoch + " to " + hw + " in one epoch");
                hwInEpoch = hw;
                for (int r : controller.isr) {
                    Replica replica = replicas.get(r);
                    for (int offset = 0; offset < hw && r != leader.id; offset++) {
                        if (offset < replica.log.size() && replica.following != null
                                && replica.following.isReconciled()
                                && replica.following.leaderEpoch() == controller.leaderEpoch) {
                            check(replica.log.get(offset).equals(leader.log.get(offset)), "ISR replica " + r
                                    + " disagrees with leader " + leader.id + " at " + offset + " below the HW " + hw);
                        }
                    }
                }
            }
        }

        void check(boolean condition, String message) {
            if (!condition) {
                throw new AssertionError(message + "\nafter: " + String.join("; ", story));
            }
        }
    }
}
