package io.brook.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import io.brook.chaos.history.testing.QueueSimulation;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The checkers over generated histories: every history of {@link QueueSimulation} (a correct
 * cluster under the queue and group workloads: concurrent in-flight sends, lost
 * acknowledgements, timeouts, drops, rebalances, commits) passes every checker, and planting
 * one anomaly of a kind (removing an acknowledged record from the final read, storing a value
 * twice, a poll that disagrees about an offset, swapping two acknowledged offsets of one
 * producer, re-polling in a stable assignment, committing a smaller offset, taking a record below
 * the committed offset out of every poll) makes the checker
 * of that kind report it, naming the planted ops.
 *
 * <p>A history is generated from a list of step codes, so a failure shrinks to a short run.
 * Runs with the seed surefire passes as {@code QT_SEED}; replay a failure with
 * {@code -Dqt.seed=<seed>}, or run more with {@code -Dbrook.properties.examples=500}.
 */
class CheckerPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60);

    /** A run's step codes and a number that chooses where to plant the anomaly. */
    record Case(List<Integer> steps, int choice) {
        History history() {
            return QueueSimulation.run(steps);
        }
    }

    private static Gen<Case> cases() {
        return lists().of(integers().between(0, 1199)).ofSizeBetween(0, 400)
                .zip(integers().between(0, Integer.MAX_VALUE), Case::new);
    }

    @Test
    void everySimulatedHistoryPassesEveryChecker() {
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            History history = c.history();
            for (CheckResult result : Checkers.checkAll(history, List.of())) {
                assertTrue(result.valid(), () -> result.name() + ": " + result.anomalies());
            }
        });
    }

    @Test
    void theSimulationExercisesWhatTheCheckersLookAt() {
        History history = QueueSimulation.run(codes(7, 400));
        Map<String, Object> figures = new LinkedHashMap<>();
        Checkers.checkAll(history, List.of()).forEach(r -> figures.putAll(prefixed(r)));
        for (String figure : List.of("lost-write.acknowledged", "lost-write.indeterminate-present",
                "lost-write.indeterminate-absent", "reorder.reorders", "availability.failed",
                "non-monotonic-poll.records-polled", "non-monotonic-poll.assignment-changes",
                "committed-offset-backwards.commits", "committed-offset-backwards.committed-reads",
                "skipped-by-group.records-below-committed")) {
            assertTrue(figure.equals("reorder.reorders") || (Long) figures.get(figure) > 0, figure + " in " + figures);
        }
        long inFlight = history.operations().stream().filter(o -> o.f().equals(Op.SEND) && o.outcome() == Op.Type.OK)
                .filter(o -> o.completeIndex() - o.invokeIndex() > 1).count();
        assertTrue(inFlight > 0, "some sends were in flight together");
    }

    @Test
    void aRemovedAcknowledgedRecordIsALostWrite() {
        plantAndExpect(new LostWriteChecker(), (history, choice) -> {
            List<Operation> acked = acknowledgedSends(history);
            if (acked.isEmpty()) {
                return null;
            }
            Op ok = acked.get(choice % acked.size()).completion();
            List<Op> ops = new ArrayList<>(history.ops());
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op.is(Op.READ, Op.Type.OK) && op.topicPartition().equals(ok.topicPartition())) {
                    List<Message> kept = op.messages().stream().filter(m -> !m.value().equals(ok.value())).toList();
                    ops.set(i, op.withMessages(kept));
                }
            }
            return new Planted(History.of(ops), "lost write", "ok op " + ok.index() + ")");
        });
    }

    @Test
    void aValueStoredTwiceIsADuplicate() {
        plantAndExpect(new DuplicateChecker(), (history, choice) -> {
            List<Op> ops = new ArrayList<>(history.ops());
            List<Integer> reads = indexesOf(ops, op -> op.is(Op.READ, Op.Type.OK) && !op.messages().isEmpty());
            if (reads.isEmpty()) {
                return null;
            }
            int at = reads.get(choice % reads.size());
            Op read = ops.get(at);
            Message copied = read.messages().get(choice % read.messages().size());
            List<Message> messages = new ArrayList<>(read.messages());
            messages.add(new Message(copied.topic(), copied.partition(), messages.size(), copied.key(),
                    copied.value()));
            ops.set(at, read.withMessages(messages));
            return new Planted(History.of(ops), "duplicate: \"" + copied.value() + "\"",
                    "offset " + (messages.size() - 1) + " (read op " + read.index() + ")");
        });
    }

    @Test
    void aPollThatDisagreesAboutAnOffsetIsAnInconsistentOffset() {
        plantAndExpect(new InconsistentOffsetsChecker(), (history, choice) -> {
            List<Message> read = history.ops().stream().filter(op -> op.is(Op.READ, Op.Type.OK))
                    .flatMap(op -> op.messages().stream()).toList();
            if (read.isEmpty()) {
                return null;
            }
            Message real = read.get(choice % read.size());
            List<Op> ops = new ArrayList<>(history.ops());
            long index = ops.size();
            ops.add(Op.invokePoll(30).recordedAt(index, 0));
            ops.add(Op.okPoll(30, List.of(new Message(real.topic(), real.partition(), real.offset(), null, "planted")))
                    .recordedAt(index + 1, 0));
            return new Planted(History.of(ops), "inconsistent offsets: " + real.topicPartition() + " offset "
                    + real.offset() + " holds", "\"planted\" (poll op " + (index + 1) + ")");
        });
    }

    @Test
    void twoSwappedAcknowledgedOffsetsOfOneProducerAreAReorder() {
        plantAndExpect(new ReorderChecker(), (history, choice) -> {
            List<Operation> acked = acknowledgedSends(history);
            List<Operation[]> pairs = new ArrayList<>();
            for (int i = 0; i < acked.size(); i++) {
                for (int j = i + 1; j < acked.size(); j++) {
                    Op a = acked.get(i).completion();
                    Op b = acked.get(j).completion();
                    if (a.process() == b.process() && a.topicPartition().equals(b.topicPartition())) {
                        pairs.add(new Operation[] {acked.get(i), acked.get(j)});
                    }
                }
            }
            if (pairs.isEmpty()) {
                return null;
            }
            Operation[] pair = pairs.get(choice % pairs.size());
            Op earlier = pair[0].completion();
            Op later = pair[1].completion();
            List<Op> ops = new ArrayList<>(history.ops());
            ops.set((int) earlier.index(), earlier.withPosition(earlier.partition(), later.offset()));
            ops.set((int) later.index(), later.withPosition(later.partition(), earlier.offset()));
            return new Planted(History.of(ops), "reorder: process " + earlier.process(), "ok op " + later.index()
                    + ")");
        });
    }

    @Test
    void aRepeatedPollInAStableAssignmentIsNonMonotonic() {
        plantAndExpect(new NonMonotonicPollChecker(), (history, choice) -> {
            List<Op> ops = new ArrayList<>(history.ops());
            List<Integer> polls = indexesOf(ops, op -> op.is(Op.POLL, Op.Type.OK) && !op.messages().isEmpty());
            if (polls.isEmpty()) {
                return null;
            }
            int at = polls.get(choice % polls.size());
            Op poll = ops.get(at);
            Message last = poll.messages().get(poll.messages().size() - 1);
            ops.add(at + 1, Op.invokePoll(poll.process()));
            ops.add(at + 2, Op.okPoll(poll.process(), List.of(last)));
            return new Planted(renumber(ops), "non-monotonic poll: process " + poll.process(),
                    "poll op " + (at + 2) + " returned offset " + last.offset());
        });
    }

    @Test
    void aSmallerCommitAfterALargerOneGoesBackwards() {
        plantAndExpect(new CommittedOffsetBackwardsChecker(), (history, choice) -> {
            List<Op> ops = new ArrayList<>(history.ops());
            List<Integer> commits = indexesOf(ops, op -> op.is(Op.COMMIT, Op.Type.OK)
                    && op.offsets().values().stream().anyMatch(o -> o > 0));
            if (commits.isEmpty()) {
                return null;
            }
            int at = commits.get(choice % commits.size());
            Op commit = ops.get(at);
            Map.Entry<TopicPartition, Long> raised = commit.offsets().entrySet().stream().filter(e -> e.getValue() > 0)
                    .findFirst().orElseThrow();
            Map<TopicPartition, Long> lower = Map.of(raised.getKey(), raised.getValue() - 1);
            ops.add(at + 1, Op.invokeCommit(commit.process(), commit.group(), lower));
            ops.add(at + 2, Op.okCommit(commit.process(), commit.group(), lower));
            return new Planted(renumber(ops), "committed offset backwards: group g, " + raised.getKey(),
                    "(invoke op " + (at + 1) + ", ok op " + (at + 2) + ") set " + (raised.getValue() - 1));
        });
    }

    @Test
    void aRecordBelowTheCommittedOffsetThatNoMemberPolledIsSkipped() {
        plantAndExpect(new SkippedByGroupChecker(), (history, choice) -> {
            List<Op> ops = new ArrayList<>(history.ops());
            Map<TopicPartition, Long> committed = new LinkedHashMap<>();
            List<Message> candidates = new ArrayList<>();
            ops.stream().filter(op -> op.is(Op.COMMITTED, Op.Type.OK)).forEach(op -> committed.putAll(op.offsets()));
            ops.stream().filter(op -> op.is(Op.READ, Op.Type.OK)).forEach(op -> op.messages().stream()
                    .filter(m -> m.offset() < committed.getOrDefault(m.topicPartition(), 0L)).forEach(candidates::add));
            if (candidates.isEmpty()) {
                return null;
            }
            Message skipped = candidates.get(choice % candidates.size());
            java.util.function.Predicate<Message> same = m -> m.topicPartition().equals(skipped.topicPartition())
                    && m.offset() == skipped.offset();
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op.is(Op.POLL, Op.Type.OK) && op.messages().stream().anyMatch(same)) {
                    ops.set(i, op.withMessages(op.messages().stream().filter(same.negate()).toList()));
                }
            }
            return new Planted(History.of(ops), "skipped: group g, " + skipped.topicPartition() + " offset "
                    + skipped.offset() + " ");
        });
    }

    @Test
    void availabilityFiguresAddUpAndMatchABruteForceModel() {
        qt().withExamples(EXAMPLES).forAll(cases(), lists().of(integers().between(0, 500)).ofSizeBetween(0, 6))
                .checkAssert((c, healsMs) -> {
                    History history = c.history();
                    List<FaultWindow> faults = new ArrayList<>();
                    for (int heal : healsMs) {
                        faults.add(new FaultWindow("kill", List.of(1), null, 0, heal * 1_000_000L));
                    }
                    CheckResult result = new AvailabilityChecker().check(history, faults);
                    Map<String, Object> f = result.figures();
                    List<Operation> sends = history.operations().stream().filter(o -> o.f().equals(Op.SEND)).toList();
                    assertEquals((long) sends.size(), f.get("attempted"));
                    assertEquals(f.get("attempted"), (Long) f.get("acknowledged") + (Long) f.get("failed")
                            + (Long) f.get("indeterminate"));
                    List<Long> acks = sends.stream().filter(o -> o.outcome() == Op.Type.OK)
                            .map(o -> o.completion().timeNanos()).sorted().toList();
                    long unrecovered = faults.stream().filter(w -> acks.stream().noneMatch(t -> t >= w.endNanos()))
                            .count();
                    assertEquals(unrecovered, f.get("unrecovered-faults"));
                    if (!sends.isEmpty()) {
                        long start = sends.stream().mapToLong(o -> o.first().timeNanos()).min().orElseThrow();
                        long end = sends.stream().mapToLong(o -> o.last().timeNanos()).max().orElseThrow();
                        long longest = 0;
                        long previous = start;
                        for (long t : acks) {
                            longest = Math.max(longest, t - previous);
                            previous = t;
                        }
                        longest = Math.max(longest, end - previous);
                        assertEquals(longest / 1e6, (Double) f.get("longest-unavailable-ms"), 1e-9);
                    }
                    assertTrue(result.valid());
                });
    }

    // ---- planting

    /** A history with one planted anomaly, and fragments the checker's report of it must contain. */
    record Planted(History history, String... fragments) {}

    /**
     * For generated cases, plants an anomaly with {@code plant} (null when the history offers
     * no place for one) and expects {@code checker} to report it.
     */
    private static void plantAndExpect(Checker checker, BiFunction<History, Integer, Planted> plant) {
        AtomicInteger planted = new AtomicInteger();
        qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            History valid = c.history();
            assertTrue(checker.check(valid, List.of()).valid(), "valid before planting");
            Planted bad = plant.apply(valid, c.choice());
            if (bad == null) {
                return;
            }
            planted.incrementAndGet();
            CheckResult result = checker.check(bad.history(), List.of());
            assertFalse(result.valid(), () -> checker.name() + " missed the planted anomaly");
            assertTrue(result.anomalies().stream().anyMatch(a -> containsAll(a, bad.fragments())),
                    () -> "no anomaly contains " + List.of(bad.fragments()) + ": " + result.anomalies());
        });
        assertTrue(planted.get() >= EXAMPLES / 2, "planted in only " + planted.get() + " of " + EXAMPLES + " cases");
    }

    private static boolean containsAll(String text, String... fragments) {
        for (String fragment : fragments) {
            if (!text.contains(fragment)) {
                return false;
            }
        }
        return true;
    }

    private static List<Operation> acknowledgedSends(History history) {
        return history.operations().stream()
                .filter(o -> o.f().equals(Op.SEND) && o.outcome() == Op.Type.OK && o.invocation() != null)
                .toList();
    }

    private static List<Integer> indexesOf(List<Op> ops, java.util.function.Predicate<Op> which) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (which.test(ops.get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    /** {@code ops} indexed 0, 1, ... in list order, keeping their times. */
    private static History renumber(List<Op> ops) {
        List<Op> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            out.add(ops.get(i).recordedAt(i, ops.get(i).timeNanos()));
        }
        return History.of(out);
    }

    private static Map<String, Object> prefixed(CheckResult result) {
        Map<String, Object> out = new LinkedHashMap<>();
        result.figures().forEach((k, v) -> out.put(result.name() + "." + k, v));
        return out;
    }

    /** {@code count} step codes from a fixed linear congruential sequence. */
    private static List<Integer> codes(long seed, int count) {
        List<Integer> out = new ArrayList<>();
        long x = seed;
        for (int i = 0; i < count; i++) {
            x = (x * 6364136223846793005L + 1442695040888963407L);
            out.add((int) ((x >>> 33) % 1200));
        }
        return out;
    }
}
