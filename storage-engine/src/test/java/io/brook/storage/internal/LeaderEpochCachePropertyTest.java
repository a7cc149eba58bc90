package io.brook.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.storage.EpochEndOffset;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link LeaderEpochCache} against a naive model (a plain list, every rule applied by scanning
 * it) over random sequences of assign / truncateFromEnd / truncateFromStart.
 *
 * <p>To replay a failure, take the seed QuickTheories prints ("Seed was ...") and either add
 * {@code .withFixedSeed(seed)} after {@code qt()} below, or run with {@code -Dqt.seed=seed}.
 */
class LeaderEpochCachePropertyTest {
    private static final int HIGHEST_EPOCH = 10;
    private static final long HIGHEST_OFFSET = 40;
    /** Above every generated start offset, as a log end offset must be. */
    private static final long LOG_END_OFFSET = HIGHEST_OFFSET + 10;

    private final FileIo io = FileIo.real();
    private final AtomicInteger exampleNumber = new AtomicInteger();

    @TempDir
    Path root;

    sealed interface Operation {
    }

    record Assign(int epoch, long startOffset) implements Operation {
    }

    record TruncateFromEnd(long endOffset) implements Operation {
    }

    record TruncateFromStart(long startOffset) implements Operation {
    }

    private static Gen<Operation> operations() {
        Gen<Long> offsets = integers().between(0, (int) HIGHEST_OFFSET).map(Integer::longValue);
        Gen<Operation> assign = integers().between(0, HIGHEST_EPOCH).zip(offsets, Assign::new);
        Gen<Operation> truncateFromEnd = offsets.map(TruncateFromEnd::new);
        Gen<Operation> truncateFromStart = offsets.map(TruncateFromStart::new);
        return Generate.frequency(List.of(Pair.of(6, assign), Pair.of(1, truncateFromEnd),
                Pair.of(1, truncateFromStart)));
    }

    @Test
    void the_cache_answers_like_the_naive_model_and_reloads_equal_from_its_checkpoint() {
        qt().withExamples(300)
                .forAll(lists().of(operations()).ofSizeBetween(1, 25))
                .checkAssert(this::runAgainstModel);
    }

    private void runAgainstModel(List<Operation> operations) {
        try {
            Path checkpoint = root.resolve("example-" + exampleNumber.incrementAndGet())
                    .resolve("leader-epoch-checkpoint");
            io.createDirectories(checkpoint.getParent());
            LeaderEpochCache cache = LeaderEpochCache.load(io, checkpoint);
            NaiveEpochHistory model = new NaiveEpochHistory();
            for (Operation operation : operations) {
                // Java 17 has no pattern matching in switch (it is a preview feature there).
                if (operation instanceof Assign assign) {
                    cache.assign(assign.epoch(), assign.startOffset());
                    model.assign(assign.epoch(), assign.startOffset());
                } else if (operation instanceof TruncateFromEnd truncate) {
                    cache.truncateFromEnd(truncate.endOffset());
                    model.truncateFromEnd(truncate.endOffset());
                } else if (operation instanceof TruncateFromStart truncate) {
                    cache.truncateFromStart(truncate.startOffset());
                    model.truncateFromStart(truncate.startOffset());
                }
                assertEquals(model.sorted(), cache.entries(), "entries after " + operation);
                assertStrictlyIncreasing(cache.entries());
                for (int requested = -1; requested <= HIGHEST_EPOCH + 1; requested++) {
                    assertEquals(model.endOffsetFor(requested, LOG_END_OFFSET),
                            cache.endOffsetFor(requested, LOG_END_OFFSET),
                            "endOffsetFor(" + requested + ") after " + operation + " with "
                                    + cache.entries());
                }
            }
            assertEquals(cache.entries(), LeaderEpochCache.load(io, checkpoint).entries(), "reloaded");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertStrictlyIncreasing(List<EpochEntry> entries) {
        for (int index = 1; index < entries.size(); index++) {
            EpochEntry previous = entries.get(index - 1);
            EpochEntry next = entries.get(index);
            assertTrue(previous.epoch() < next.epoch() && previous.startOffset() < next.startOffset(),
                    "not strictly increasing: " + entries);
        }
    }

    /**
     * The rules of {@link LeaderEpochCache} written as directly as possible: an unordered bag of
     * entries, every question answered by a scan, no reliance on the order the list is kept in.
     */
    private static final class NaiveEpochHistory {
        private final List<EpochEntry> entries = new ArrayList<>();

        private Optional<EpochEntry> latest() {
            return entries.stream().max(Comparator.comparingInt(EpochEntry::epoch));
        }

        void assign(int epoch, long startOffset) {
            if (latest().isPresent() && epoch <= latest().get().epoch()) {
                return;
            }
            entries.removeIf(entry -> entry.startOffset() >= startOffset);
            entries.add(new EpochEntry(epoch, startOffset));
        }

        void truncateFromEnd(long endOffset) {
            entries.removeIf(entry -> entry.startOffset() >= endOffset);
        }

        void truncateFromStart(long startOffset) {
            Optional<EpochEntry> holder = entries.stream()
                    .filter(entry -> entry.startOffset() <= startOffset)
                    .max(Comparator.comparingInt(EpochEntry::epoch));
            if (holder.isPresent()) {
                entries.removeIf(entry -> entry.startOffset() <= startOffset);
                entries.add(new EpochEntry(holder.get().epoch(), startOffset));
            }
        }

        EpochEndOffset endOffsetFor(int requested, long logEndOffset) {
            if (requested < 0 || latest().isEmpty() || requested > latest().get().epoch()) {
                return EpochEndOffset.UNDEFINED;
            }
            if (requested == latest().get().epoch()) {
                return new EpochEndOffset(requested, logEndOffset);
            }
            Optional<EpochEntry> floor = entries.stream()
                    .filter(entry -> entry.epoch() <= requested)
                    .max(Comparator.comparingInt(EpochEntry::epoch));
            EpochEntry higher = entries.stream()
                    .filter(entry -> entry.epoch() > requested)
                    .min(Comparator.comparingInt(EpochEntry::epoch))
                    .orElseThrow();
            return new EpochEndOffset(floor.map(EpochEntry::epoch).orElse(requested), higher.startOffset());
        }

        List<EpochEntry> sorted() {
            return entries.stream().sorted(Comparator.comparingInt(EpochEntry::epoch)).toList();
        }
    }
}
