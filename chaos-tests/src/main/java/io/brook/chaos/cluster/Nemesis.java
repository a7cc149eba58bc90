package io.brook.chaos.cluster;

import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link FaultTarget} through a {@link NemesisSchedule} on a thread of its own: healthy
 * time, a fault, its heal, healthy time, the next fault... and at the end (the schedule done, the
 * run's duration up, or {@link Run#stop()}) it heals whatever is still broken
 * ({@link FaultTarget#healAll()}). Every fault window is recorded as a {@link Fault}, with times
 * in nanoseconds since the run's start.
 *
 * <p><b>Timing.</b> Each fault waits its planned healthy time after the previous heal
 * <em>finished</em> (a restart takes seconds), so every heal gets at least that much recovery
 * time; a fault that would no longer end within the run's duration is not applied. The schedule
 * is a pure function of the seed; how many of its faults a run gets to, and exactly when, depends
 * on how long the actions take.
 *
 * <p><b>Targets.</b> {@link TargetChoice#PARTITION_LEADER} and {@link TargetChoice#ACTIVE_CONTROLLER}
 * are resolved when the fault starts; when the cluster knows no leader or controller then, the
 * fault hits the planned random node instead, and its detail says so. An action that fails (a node
 * that will not restart) is logged, recorded in {@link Run#errors()} and in the fault's detail, and
 * the run goes on.
 *
 * <p>Thread-safe: {@link #start()} once; the {@link Run} may be stopped and awaited from any thread.
 */
public final class Nemesis {
    private static final Logger log = LoggerFactory.getLogger(Nemesis.class);

    /** Told about each fault as it starts ({@link Fault#NOT_HEALED}) and once it is healed. Called on the nemesis thread. */
    public interface Listener {
        default void faultStarted(Fault fault) {}

        default void faultHealed(Fault fault) {}
    }

    private final FaultTarget target;
    private final NemesisSchedule schedule;
    private final Clock clock;
    private final long runStartNanos;
    private final Listener listener;

    /**
     * @param clock the time source for waits and records
     * @param runStartNanos the run's start on {@code clock}: fault times are relative to it
     * @throws IllegalArgumentException when the schedule has partitions the target cannot make
     */
    public Nemesis(FaultTarget target, NemesisSchedule schedule, Clock clock, long runStartNanos, Listener listener) {
        if (!target.supportsPartitions() && schedule.faults().stream().anyMatch(f -> f.kind() == FaultKind.PARTITION)) {
            throw new IllegalArgumentException(LoopbackNetwork.PARTITIONS_NEED_NAMESPACES);
        }
        this.target = target;
        this.schedule = schedule;
        this.clock = clock;
        this.runStartNanos = runStartNanos;
        this.listener = listener;
    }

    /** The schedule for {@code seed} over {@code duration} on {@code target}'s nodes, then a nemesis that runs it. */
    public static Nemesis create(FaultTarget target, NemesisOptions options, long seed, Duration duration, Clock clock,
            long runStartNanos, Listener listener) {
        return new Nemesis(target, NemesisSchedule.generate(seed, options, target.nodeIds(), duration), clock,
                runStartNanos, listener);
    }

    public NemesisSchedule schedule() {
        return schedule;
    }

    /** Starts the nemesis thread. */
    public Run start() {
        Run run = new Run();
        run.thread.start();
        return run;
    }

    /** Runs the whole schedule on this thread's behalf and returns the faults once everything is healed. */
    public List<Fault> run() throws InterruptedException {
        return start().await();
    }

    /** A running nemesis. */
    public final class Run {
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        private final CountDownLatch finished = new CountDownLatch(1);
        private final List<Fault> faults = new ArrayList<>();
        private final List<Exception> errors = new ArrayList<>();
        private final Thread thread = new Thread(this::drive, "nemesis");

        /** Ends the current fault at once (healing it), applies no more, heals everything. Returns at once. */
        public void stop() {
            stopRequested.countDown();
        }

        /** Waits until the nemesis finished and everything is healed; returns every fault window. */
        public List<Fault> await() throws InterruptedException {
            finished.await();
            return faults();
        }

        /** As {@link #await()}, at most {@code timeout}; false when it has not finished by then. */
        public boolean await(Duration timeout) throws InterruptedException {
            return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** The fault windows healed so far. */
        public synchronized List<Fault> faults() {
            return List.copyOf(faults);
        }

        /** The actions that failed. */
        public synchronized List<Exception> errors() {
            return List.copyOf(errors);
        }

        private void drive() {
            long began = clock.nanoseconds();
            long deadline = began + schedule.duration().toNanos();
            long readyAt = began;
            try {
                for (PlannedFault planned : schedule.faults()) {
                    if (waitUntil(readyAt + planned.healthyBefore().toNanos())) {
                        break;
                    }
                    long now = clock.nanoseconds();
                    if (now + planned.faultFor().toNanos() > deadline) {
                        log.info("Nemesis: fault {} would end after the run; stopping", planned.index());
                        break;
                    }
                    Applied applied = apply(planned);
                    if (applied == null) {
                        readyAt = clock.nanoseconds();
                        continue;
                    }
                    listener.faultStarted(applied.fault);
                    // From the fault's own start: finding a leader or controller may have taken seconds.
                    waitUntil(runStartNanos + applied.fault.startNanos() + planned.faultFor().toNanos()); // stopped: heal at once
                    long healAt = clock.nanoseconds();
                    String healError = heal(applied);
                    Fault healed = applied.fault.healedAt(healAt - runStartNanos, healError);
                    synchronized (this) {
                        faults.add(healed);
                    }
                    log.info("Nemesis: healed {}", healed.detail());
                    listener.faultHealed(healed);
                    readyAt = clock.nanoseconds();
                }
            } catch (RuntimeException e) {
                log.error("Nemesis failed", e);
                synchronized (this) {
                    errors.add(e);
                }
            } finally {
                try {
                    target.healAll();
                } catch (RuntimeException e) {
                    log.error("Nemesis: the final heal failed", e);
                    synchronized (this) {
                        errors.add(e);
                    }
                }
                finished.countDown();
            }
        }

        /** Waits until {@code nanos} on the clock; true when stopped instead. */
        private boolean waitUntil(long nanos) {
            try {
                long remaining = nanos - clock.nanoseconds();
                return remaining > 0 ? stopRequested.await(remaining, TimeUnit.NANOSECONDS)
                        : stopRequested.getCount() == 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested.countDown();
                return true;
            }
        }

        private record Applied(PlannedFault planned, List<Integer> nodes, Fault fault) {}

        /** Applies the fault; null (recorded in errors) when it could not be applied. */
        private Applied apply(PlannedFault planned) {
            String why = "random node";
            int node = planned.randomNode();
            if (planned.target() != TargetChoice.RANDOM_NODE) {
                OptionalInt found;
                String what;
                if (planned.target() == TargetChoice.PARTITION_LEADER) {
                    TopicPartition tp = planned.partition().orElseThrow();
                    found = target.leaderOf(tp.topic(), tp.partition());
                    what = "leader of " + tp.topic() + "-" + tp.partition();
                } else {
                    found = target.activeController();
                    what = "active controller";
                }
                if (found.isPresent()) {
                    node = found.getAsInt();
                    why = what;
                } else {
                    why = "random node: no " + what + " known";
                }
            }
            long start = clock.nanoseconds() - runStartNanos;
            try {
                return switch (planned.kind()) {
                    case KILL -> {
                        target.kill(node);
                        yield new Applied(planned, List.of(node), new Fault(FaultKind.KILL, List.of(node),
                                "kill -9 node " + node + " (" + why + ")", start, Fault.NOT_HEALED));
                    }
                    case PAUSE -> {
                        target.pause(node);
                        yield new Applied(planned, List.of(node), new Fault(FaultKind.PAUSE, List.of(node),
                                "pause node " + node + " (" + why + ")", start, Fault.NOT_HEALED));
                    }
                    case PARTITION -> {
                        PlannedFault.ShapedPartition shaped = planned.partitionAround(node);
                        target.partition(shaped.partition());
                        yield new Applied(planned, List.of(node), new Fault(FaultKind.PARTITION, shaped.cutOff(),
                                "partition " + shaped.partition().description() + " (around node " + node + ", " + why
                                        + ")", start, Fault.NOT_HEALED));
                    }
                };
            } catch (RuntimeException e) {
                log.warn("Nemesis: could not apply fault {} ({} node {})", planned.index(), planned.kind(), node, e);
                synchronized (this) {
                    errors.add(e);
                }
                return null;
            }
        }

        /** Heals the fault; returns "" or what went wrong. */
        private String heal(Applied applied) {
            try {
                switch (applied.planned.kind()) {
                    case KILL -> target.restart(applied.nodes.get(0));
                    case PAUSE -> target.resume(applied.nodes.get(0));
                    case PARTITION -> target.heal();
                }
                return "";
            } catch (RuntimeException e) {
                log.warn("Nemesis: healing {} failed", applied.fault.detail(), e);
                synchronized (this) {
                    errors.add(e);
                }
                return "heal failed: " + e.getMessage();
            }
        }
    }
}
