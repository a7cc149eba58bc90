package io.brook.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.api.v1.ErrorCode;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link ProducerStateManager} against a naive model that keeps every producer's full history
 * in a list and applies the sequence rules by scanning it. Random producer histories mix a few
 * producer ids, epochs that stay, go up or go down, and sequences that are the exact next one, a
 * retry of one of the last few batches, a retry older than the cache, a gap, zero, or near
 * {@link Integer#MAX_VALUE} so that sequences wrap around.
 *
 * <p>To replay a failure, take the seed QuickTheories prints ("Seed was ...") and either add
 * {@code .withFixedSeed(seed)} after {@code qt()} in the failing test, or run with
 * {@code -Dqt.seed=seed}.
 */
class ProducerStatePropertyTest {
    private static final long[] PRODUCER_IDS = {1000, 1001, 1002};
    private static final short FIRST_EPOCH = 3;
    private static final int MAX_STEPS = 60;
    /** Sequences live in [0, 2^31): the model wraps with plain modular arithmetic. */
    private static final long SEQUENCE_SPACE = Integer.MAX_VALUE + 1L;

    private final FileIo io = FileIo.real();
    private final AtomicInteger exampleNumber = new AtomicInteger();

    @TempDir
    Path root;

    enum EpochMove { STAY, UP, DOWN }

    enum SequenceChoice { NEXT, RECENT_RETRY, OLD_RETRY, GAP, ZERO, NEAR_MAX }

    /**
     * One batch to offer, described relative to the producer's state at that moment (so that it
     * shrinks well): which producer, what happens to its epoch, which kind of sequence it carries.
     * {@code pick} chooses among the candidates (which retried batch, how wide a gap, ...).
     */
    record Step(int producerIndex, EpochMove epochMove, SequenceChoice sequenceChoice, int recordCount,
            int pick) {
    }

    /** A step made concrete against the model's state. */
    record Batch(long producerId, short epoch, int firstSequence, int lastSequence) {
    }

    private static Gen<Step> steps() {
        Gen<EpochMove> epochMoves = Generate.frequency(List.of(
                Pair.of(8, Generate.constant(EpochMove.STAY)),
                Pair.of(1, Generate.constant(EpochMove.UP)),
                Pair.of(1, Generate.constant(EpochMove.DOWN))));
        Gen<SequenceChoice> sequenceChoices = Generate.frequency(List.of(
                Pair.of(10, Generate.constant(SequenceChoice.NEXT)),
                Pair.of(3, Generate.constant(SequenceChoice.RECENT_RETRY)),
                Pair.of(2, Generate.constant(SequenceChoice.OLD_RETRY)),
                Pair.of(2, Generate.constant(SequenceChoice.GAP)),
                Pair.of(1, Generate.constant(SequenceChoice.ZERO)),
                Pair.of(1, Generate.constant(SequenceChoice.NEAR_MAX))));
        return integers().between(0, PRODUCER_IDS.length - 1).zip(epochMoves, sequenceChoices,
                integers().between(1, 4), integers().between(0, 15), Step::new);
    }

    @Test
    void every_classification_equals_the_naive_models() {
        qt().withExamples(400)
                .forAll(lists().of(steps()).ofSizeBetween(1, MAX_STEPS))
                .checkAssert(steps -> runAgainstModel(steps, -1));
    }

    @Test
    void classifications_and_state_survive_a_snapshot_and_reopen_at_any_point() {
        qt().withExamples(200)
                .forAll(lists().of(steps()).ofSizeBetween(1, MAX_STEPS), integers().between(0, MAX_STEPS))
                .checkAssert((steps, snapshotAt) ->
                        runAgainstModel(steps, Math.min(snapshotAt, steps.size())));
    }

    /**
     * Offers every step's batch to the manager and the model, appends what both accept, and
     * compares. When {@code snapshotAt} is a step index (or the number of steps: at the end), the
     * manager snapshots there and is replaced by a fresh one reloaded from the same directory
     * with nothing to replay.
     */
    private void runAgainstModel(List<Step> steps, int snapshotAt) {
        try {
            Path directory = root.resolve("example-" + exampleNumber.incrementAndGet());
            ProducerStateManager manager = new ProducerStateManager(io, directory);
            NaiveProducerModel model = new NaiveProducerModel();
            long nextOffset = 0;
            for (int index = 0; index <= steps.size(); index++) {
                if (index == snapshotAt) {
                    manager = snapshotAndReopen(manager, directory, nextOffset);
                }
                if (index == steps.size()) {
                    break;
                }
                Step step = steps.get(index);
                Batch batch = concretize(step, model);
                SequenceCheck expected = model.classify(batch);
                SequenceCheck actual = manager.check(batch.producerId(), batch.epoch(), batch.firstSequence(),
                        batch.lastSequence());
                assertEquals(expected, withoutMessage(actual), "step " + index + " " + step + " as " + batch);
                if (actual instanceof SequenceCheck.Rejected rejected) {
                    assertTrue(rejected.message().contains("Producer " + batch.producerId()),
                            rejected.message());
                }
                if (actual instanceof SequenceCheck.Accepted) {
                    long recordCount = Math.floorMod(batch.lastSequence() - (long) batch.firstSequence(),
                            SEQUENCE_SPACE) + 1;
                    BatchMetadata appended = new BatchMetadata(batch.firstSequence(), batch.lastSequence(),
                            nextOffset, nextOffset + recordCount - 1, 1_000 + nextOffset + recordCount - 1);
                    manager.update(batch.producerId(), batch.epoch(), appended.firstSequence(),
                            appended.lastSequence(), appended.firstOffset(), appended.lastOffset(),
                            appended.maxTimestamp());
                    model.append(batch.producerId(), batch.epoch(), appended);
                    nextOffset += recordCount;
                    manager.updateMapEndOffset(nextOffset);
                }
            }
            assertEquals(model.expectedState(), manager.activeProducers(), "state after all steps");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProducerStateManager snapshotAndReopen(ProducerStateManager manager, Path directory,
            long logEndOffset) throws IOException {
        manager.takeSnapshot();
        ProducerStateManager reopened = new ProducerStateManager(io, directory);
        assertEquals(logEndOffset, reopened.truncateAndReload(0, logEndOffset), "replay offset");
        assertEquals(logEndOffset, reopened.mapEndOffset(), "map end offset after reload");
        assertEquals(manager.activeProducers(), reopened.activeProducers(), "state after reload");
        return reopened;
    }

    /** Rejection messages are for people; the model only predicts the error code. */
    private static SequenceCheck withoutMessage(SequenceCheck check) {
        return check instanceof SequenceCheck.Rejected rejected
                ? new SequenceCheck.Rejected(rejected.error(), "")
                : check;
    }

    private static int addToSequence(int sequence, long increment) {
        return (int) ((sequence + increment) % SEQUENCE_SPACE);
    }

    private static Batch concretize(Step step, NaiveProducerModel model) {
        long producerId = PRODUCER_IDS[step.producerIndex()];
        List<NaiveProducerModel.Appended> history = model.history(producerId);
        boolean known = !history.isEmpty();
        short currentEpoch = known ? history.get(history.size() - 1).epoch() : FIRST_EPOCH;
        short epoch = switch (step.epochMove()) {
            case STAY -> currentEpoch;
            case UP -> (short) (currentEpoch + 1);
            case DOWN -> (short) Math.max(0, currentEpoch - 1);
        };
        int next;
        if (!known) {
            // Half of the new producers start just below the largest sequence, to wrap around soon.
            next = step.pick() % 2 == 0 ? 0 : Integer.MAX_VALUE - step.pick();
        } else if (epoch > currentEpoch) {
            next = 0;
        } else {
            next = addToSequence(history.get(history.size() - 1).batch().lastSequence(), 1);
        }
        List<BatchMetadata> sameEpoch = history.stream()
                .filter(appended -> appended.epoch() == epoch)
                .map(NaiveProducerModel.Appended::batch)
                .toList();
        int cached = Math.min(ProducerStateManager.MAX_CACHED_BATCHES, sameEpoch.size());
        List<BatchMetadata> retryCandidates = switch (step.sequenceChoice()) {
            case RECENT_RETRY -> sameEpoch.subList(sameEpoch.size() - cached, sameEpoch.size());
            case OLD_RETRY -> sameEpoch.subList(0, sameEpoch.size() - cached);
            default -> List.of();
        };
        if (!retryCandidates.isEmpty()) {
            BatchMetadata retried = retryCandidates.get(step.pick() % retryCandidates.size());
            return new Batch(producerId, epoch, retried.firstSequence(), retried.lastSequence());
        }
        int first = switch (step.sequenceChoice()) {
            case GAP -> addToSequence(next, 1 + step.pick() % 3);
            case ZERO -> 0;
            case NEAR_MAX -> Integer.MAX_VALUE - step.pick() % 4;
            default -> next; // NEXT, or a retry with nothing to retry
        };
        return new Batch(producerId, epoch, first, addToSequence(first, step.recordCount() - 1));
    }

    /**
     * The rules of {@link ProducerStateManager#check} applied to each producer's complete history
     * (nothing forgotten, nothing cached): the "cache" is recomputed as the last five batches of
     * the current epoch every time it is needed.
     */
    private static final class NaiveProducerModel {
        record Appended(short epoch, BatchMetadata batch) {
        }

        private final Map<Long, List<Appended>> histories = new HashMap<>();

        List<Appended> history(long producerId) {
            return histories.getOrDefault(producerId, List.of());
        }

        void append(long producerId, short epoch, BatchMetadata batch) {
            histories.computeIfAbsent(producerId, id -> new ArrayList<>()).add(new Appended(epoch, batch));
        }

        private List<BatchMetadata> lastBatchesOfCurrentEpoch(List<Appended> history) {
            short currentEpoch = history.get(history.size() - 1).epoch();
            List<BatchMetadata> sameEpoch = history.stream()
                    .filter(appended -> appended.epoch() == currentEpoch)
                    .map(Appended::batch)
                    .toList();
            int cached = Math.min(ProducerStateManager.MAX_CACHED_BATCHES, sameEpoch.size());
            return sameEpoch.subList(sameEpoch.size() - cached, sameEpoch.size());
        }

        SequenceCheck classify(Batch batch) {
            List<Appended> history = history(batch.producerId());
            if (history.isEmpty()) {
                return SequenceCheck.ACCEPTED;
            }
            Appended latest = history.get(history.size() - 1);
            if (batch.epoch() < latest.epoch()) {
                return new SequenceCheck.Rejected(ErrorCode.INVALID_PRODUCER_EPOCH, "");
            }
            if (batch.epoch() > latest.epoch()) {
                return batch.firstSequence() == 0
                        ? SequenceCheck.ACCEPTED
                        : new SequenceCheck.Rejected(ErrorCode.OUT_OF_ORDER_SEQUENCE, "");
            }
            for (BatchMetadata cached : lastBatchesOfCurrentEpoch(history)) {
                if (cached.firstSequence() == batch.firstSequence()
                        && cached.lastSequence() == batch.lastSequence()) {
                    return new SequenceCheck.Duplicate(cached.firstOffset(), cached.lastOffset(),
                            cached.maxTimestamp());
                }
            }
            return batch.firstSequence() == addToSequence(latest.batch().lastSequence(), 1)
                    ? SequenceCheck.ACCEPTED
                    : new SequenceCheck.Rejected(ErrorCode.OUT_OF_ORDER_SEQUENCE, "");
        }

        /** What {@link ProducerStateManager#activeProducers()} should hold. */
        Map<Long, ProducerStateEntry> expectedState() {
            Map<Long, ProducerStateEntry> state = new HashMap<>();
            histories.forEach((producerId, history) -> state.put(producerId,
                    new ProducerStateEntry(producerId, history.get(history.size() - 1).epoch(),
                            lastBatchesOfCurrentEpoch(history))));
            return state;
        }
    }
}
