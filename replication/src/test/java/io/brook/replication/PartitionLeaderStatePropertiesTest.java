package io.brook.replication;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random histories of appends, follower fetches (followers fetch what they were sent, or stall),
 * time passing, ISR proposals, and the controller's later answer to them (committed or refused;
 * meanwhile the change is pending), and checks after every step:
 * the HW never decreases, never passes the LEO of a replica that is or may be in the ISR, does not
 * move while the ISR is below min.insync.replicas; a follower leaves the ISR only after
 * replica.lag.time.max.ms without catching up; a replica joins only with every record below the HW.
 */
class PartitionLeaderStatePropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 5;
    private static final long LAG_MAX = 1_000;
    private static final List<Integer> REPLICAS = List.of(0, 1, 2, 3);

    @Test
    void highWatermarkAndIsrRulesHoldAfterEveryStep() {
        qt().withExamples(EXAMPLES)
                .forAll(integers().between(0, 1_000_000), lists().of(integers().between(0, 99)).ofSizeBetween(1, 150))
                .checkAssert(PartitionLeaderStatePropertiesTest::run);
    }

    private static void run(int seed, List<Integer> ops) {
        Random random = new Random(seed);
        int minIsr = 1 + random.nextInt(3);
        long start = random.nextInt(50);
        long hw0 = start - random.nextInt((int) start + 1);
        PartitionLeaderState state = new PartitionLeaderState(0, REPLICAS, List.of(0, 1, 2), 3, 7, minIsr, LAG_MAX,
                start, hw0, 0);
        // What each follower really has (the test's model): fetches report it.
        Map<Integer, Long> has = new HashMap<>();
        Map<Integer, Long> lastCaughtUp = new HashMap<>();
        Map<Integer, Long> leoAtLastFetch = new HashMap<>();
        Map<Integer, Long> lastFetch = new HashMap<>();
        for (int f : REPLICAS.subList(1, REPLICAS.size())) {
            has.put(f, (long) random.nextInt((int) start + 1));
            lastCaughtUp.put(f, 0L);
            lastFetch.put(f, 0L);
        }
        long now = 0;
        int partitionEpoch = 7;
        long hw = state.highWatermark();
        List<String> story = new ArrayList<>();
        for (int op : ops) {
            int follower = 1 + random.nextInt(3);
            String step;
            if (op < 25) {
                long leo = state.logEndOffset() + 1 + random.nextInt(5);
                step = "append to " + leo;
                state.onLeaderAppend(leo);
            } else if (op < 60) {
                long offset = Math.min(state.logEndOffset(), has.get(follower) + random.nextInt(6));
                step = "follower " + follower + " fetches at " + offset + " (t=" + now + ")";
                // The model of "caught up" (Kafka's rule), to check shrink decisions against.
                if (offset >= state.logEndOffset()) {
                    lastCaughtUp.put(follower, now);
                } else if (leoAtLastFetch.containsKey(follower) && offset >= leoAtLastFetch.get(follower)) {
                    lastCaughtUp.put(follower, Math.max(lastCaughtUp.get(follower), lastFetch.get(follower)));
                }
                leoAtLastFetch.put(follower, state.logEndOffset());
                lastFetch.put(follower, now);
                has.put(follower, offset);
                state.onFollowerFetch(follower, offset, now);
            } else if (op < 75) {
                long ms = random.nextInt((int) LAG_MAX);
                now += ms;
                step = "time +" + ms;
            } else if (op >= 88) {
                Optional<PartitionLeaderState.IsrChange> pending = state.pendingIsrChange();
                step = "controller answers " + pending.map(c -> c.newIsr().toString()).orElse("nothing");
                if (pending.isPresent()) {
                    if (random.nextInt(4) == 0) {
                        step += ": refused";
                        state.onIsrChangeFailed();
                    } else {
                        step += ": committed";
                        state.onIsrChangeCommitted(pending.get().newIsr(), ++partitionEpoch);
                    }
                }
            } else {
                Optional<PartitionLeaderState.IsrChange> change = state.proposeIsrChange(now);
                step = "propose: " + change.map(c -> c.newIsr().toString()).orElse("nothing");
                if (change.isPresent()) {
                    List<Integer> before = state.isr();
                    for (int r : before) {
                        if (!change.get().newIsr().contains(r)) {
                            check(now - lastCaughtUp.get(r) > LAG_MAX, "replica " + r + " left the ISR although caught up "
                                    + "at " + lastCaughtUp.get(r) + ", now " + now, story);
                        }
                    }
                    for (int r : change.get().newIsr()) {
                        if (!before.contains(r)) {
                            check(has.get(r) >= state.highWatermark(), "replica " + r + " joins without the records "
                                    + "below the HW", story);
                        }
                    }
                }
            }
            story.add(step);
            long newHw = state.highWatermark();
            check(newHw >= hw, "the HW went back from " + hw + " to " + newHw, story);
            check(newHw <= state.logEndOffset(), "the HW passed the leader's LEO", story);
            if (newHw > hw) {
                check(state.isr().size() >= minIsr, "the HW moved with the ISR " + state.isr() + " below "
                        + minIsr, story);
                for (int r : state.maximalIsr()) {
                    if (r != 0) {
                        check(has.get(r) >= newHw, "the HW " + newHw + " passed replica " + r + ", which has "
                                + has.get(r), story);
                    }
                }
            }
            hw = newHw;
        }
    }

    private static void check(boolean condition, String message, List<String> story) {
        if (!condition) {
            throw new AssertionError(message + "\nafter: " + String.join("; ", story));
        }
    }
}
