package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The nemesis driver against a fake cluster that checks each action is legal; short real-time windows. */
class NemesisTest {
    private static final NemesisOptions FAST = NemesisOptions.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION)
            .withFaultDuration(Duration.ofMillis(20), Duration.ofMillis(40))
            .withHealthyDuration(Duration.ofMillis(10), Duration.ofMillis(30))
            .withPartitions(List.of(new TopicPartition("queue", 0)));

    /** Three nodes; fails the test (through {@link #violations}) on any action that makes no sense. */
    private static final class FakeCluster implements FaultTarget {
        final Set<Integer> killed = new HashSet<>();
        final Set<Integer> paused = new HashSet<>();
        Partition partition = Partition.NONE;
        final List<String> actions = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        boolean partitions = true;
        int leader = 2;
        int controller = 3;
        /** How long a leader lookup takes (a real one asks every broker, seconds when some do not answer). */
        long leaderLookupMs;

        @Override
        public List<Integer> nodeIds() {
            return List.of(1, 2, 3);
        }

        private synchronized void check(boolean ok, String action) {
            actions.add(action);
            if (!ok) {
                violations.add(action + " while killed " + killed + ", paused " + paused + ", " + partition);
            }
        }

        private boolean healthy() {
            return killed.isEmpty() && paused.isEmpty() && partition.cut().isEmpty();
        }

        @Override
        public synchronized void kill(int node) {
            check(healthy(), "kill " + node);
            killed.add(node);
        }

        @Override
        public synchronized void restart(int node) {
            check(killed.remove(node), "restart " + node);
        }

        @Override
        public synchronized void pause(int node) {
            check(healthy(), "pause " + node);
            paused.add(node);
        }

        @Override
        public synchronized void resume(int node) {
            check(paused.remove(node), "resume " + node);
        }

        @Override
        public boolean supportsPartitions() {
            return partitions;
        }

        @Override
        public synchronized void partition(Partition p) {
            check(healthy() && !p.cut().isEmpty(), "partition " + p.description());
            partition = p;
        }

        @Override
        public synchronized void heal() {
            check(!partition.cut().isEmpty(), "heal");
            partition = Partition.NONE;
        }

        @Override
        public synchronized void healAll() {
            actions.add("heal all");
            killed.clear();
            paused.clear();
            partition = Partition.NONE;
        }

        @Override
        public OptionalInt activeController() {
            return controller > 0 ? OptionalInt.of(controller) : OptionalInt.empty();
        }

        @Override
        public OptionalInt leaderOf(String topic, int p) {
            try {
                Thread.sleep(leaderLookupMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return leader > 0 ? OptionalInt.of(leader) : OptionalInt.empty();
        }
    }

    @Test
    void everyFaultIsHealedBeforeTheNextAndAllIsHealedAtTheEnd() throws Exception {
        FakeCluster cluster = new FakeCluster();
        Clock clock = Clock.system();
        long runStart = clock.nanoseconds();
        List<Fault> started = new ArrayList<>();
        List<Fault> healed = new ArrayList<>();
        Nemesis nemesis = Nemesis.create(cluster, FAST, 11, Duration.ofMillis(1500), clock, runStart,
                new Nemesis.Listener() {
                    @Override
                    public void faultStarted(Fault fault) {
                        started.add(fault);
                    }

                    @Override
                    public void faultHealed(Fault fault) {
                        healed.add(fault);
                    }
                });

        List<Fault> faults = nemesis.run();

        assertEquals(List.of(), cluster.violations);
        assertEquals("heal all", cluster.actions.get(cluster.actions.size() - 1));
        assertTrue(cluster.healthy());
        assertTrue(faults.size() >= 3, "some faults in 1.5 s of 30-70 ms windows: " + faults);
        assertEquals(faults, healed);
        assertEquals(faults.size(), started.size());
        long previousHeal = 0;
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            assertEquals(nemesis.schedule().faults().get(i).kind(), f.kind(), "faults run in schedule order");
            assertFalse(started.get(i).healed());
            assertTrue(f.healed());
            assertTrue(f.startNanos() >= previousHeal && f.healNanos() > f.startNanos(), f.toString());
            assertTrue(f.healNanos() - f.startNanos() >= nemesis.schedule().faults().get(i).faultFor().toNanos(),
                    "lasted its planned time");
            assertTrue(f.healNanos() <= Duration.ofMillis(1500).toNanos() + Duration.ofMillis(200).toNanos());
            previousHeal = f.healNanos();
        }
    }

    @Test
    void leaderAndControllerTargetsHitTheNodeTheClusterNamesOrTheRandomNodeWhenItNamesNone() throws Exception {
        FakeCluster cluster = new FakeCluster();
        cluster.leaderLookupMs = 30;
        NemesisOptions killLeader = FAST.withKinds(FaultKind.KILL).withTargets(TargetChoice.PARTITION_LEADER);
        Nemesis killer = Nemesis.create(cluster, killLeader, 5, Duration.ofMillis(400), Clock.system(), 0,
                new Nemesis.Listener() {});
        List<Fault> faults = killer.run();
        assertFalse(faults.isEmpty());
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            assertEquals(List.of(2), f.targets());
            assertTrue(f.detail().contains("leader of queue-0"), f.detail());
            assertTrue(f.healNanos() - f.startNanos() >= killer.schedule().faults().get(i).faultFor().toNanos(),
                    "the lookup does not shorten the fault: " + f);
        }

        cluster.controller = -1;
        NemesisOptions pauseController = FAST.withKinds(FaultKind.PAUSE).withTargets(TargetChoice.ACTIVE_CONTROLLER);
        Nemesis nemesis = Nemesis.create(cluster, pauseController, 5, Duration.ofMillis(300), Clock.system(), 0,
                new Nemesis.Listener() {});
        List<Fault> pauses = nemesis.run();
        assertFalse(pauses.isEmpty());
        for (int i = 0; i < pauses.size(); i++) {
            assertEquals(List.of(nemesis.schedule().faults().get(i).randomNode()), pauses.get(i).targets());
            assertTrue(pauses.get(i).detail().contains("no active controller known"), pauses.get(i).detail());
        }
        assertEquals(List.of(), cluster.violations);
    }

    @Test
    void stopEndsTheCurrentFaultAtOnceAndHealsEverything() throws Exception {
        FakeCluster cluster = new FakeCluster();
        NemesisOptions longFaults = FAST.withFaultDuration(Duration.ofSeconds(30), Duration.ofSeconds(30))
                .withHealthyDuration(Duration.ofMillis(1), Duration.ofMillis(1));
        List<Fault> started = new ArrayList<>();
        Nemesis.Run run = Nemesis.create(cluster, longFaults, 1, Duration.ofMinutes(5), Clock.system(), 0,
                new Nemesis.Listener() {
                    @Override
                    public void faultStarted(Fault fault) {
                        synchronized (started) {
                            started.add(fault);
                            started.notifyAll();
                        }
                    }
                }).start();
        synchronized (started) {
            while (started.isEmpty()) {
                started.wait(10_000);
            }
        }
        run.stop();
        assertTrue(run.await(Duration.ofSeconds(10)), "stopped within 10 s");
        assertEquals(1, run.faults().size());
        assertTrue(cluster.healthy());
        assertEquals(List.of(), cluster.violations);
    }

    @Test
    void aScheduleWithPartitionsIsRefusedOnAClusterThatCannotCutLinks() {
        FakeCluster loopback = new FakeCluster();
        loopback.partitions = false;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nemesis.create(loopback, FAST,
                1, Duration.ofMinutes(1), Clock.system(), 0, new Nemesis.Listener() {}));
        assertTrue(e.getMessage().contains("network namespaces"), e.getMessage());
    }
}
