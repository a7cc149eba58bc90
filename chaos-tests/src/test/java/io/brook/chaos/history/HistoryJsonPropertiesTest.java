package io.brook.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.brook.chaos.history.internal.OpCodec;
import io.brook.client.TopicPartition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Writing a history as JSON lines and reading it back gives an equal history, for any ops:
 * every field empty or set, strings with quotes, backslashes, control characters, non-ASCII
 * and lone surrogates, offsets up to {@link Long#MAX_VALUE}. The same for fault windows.
 *
 * <p>Runs with the seed surefire passes as {@code QT_SEED}; replay a failure with
 * {@code -Dqt.seed=<seed>}.
 */
class HistoryJsonPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 3;

    @TempDir
    Path dir;

    @Test
    void everyOpSurvivesOneLineRoundTrip() {
        qt().withExamples(EXAMPLES).forAll(ops()).checkAssert(op -> {
            String line = OpCodec.encode(op);
            assertEquals(op, OpCodec.decode(line), line);
            assertEquals(-1, line.indexOf('\n'), "one line");
            assertEquals(line.length(), line.chars().filter(c -> c >= 0x20 && c <= 0x7e).count(), "printable ASCII");
        });
    }

    @Test
    void everyHistorySurvivesTheFileRoundTrip() {
        qt().withExamples(EXAMPLES / 5).forAll(lists().of(ops()).ofSizeBetween(0, 20)).checkAssert(ops -> {
            List<Op> indexed = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                indexed.add(op.recordedAt(i * 3L, op.timeNanos()));
            }
            History history = History.of(indexed);
            try {
                Path file = Files.createTempFile(dir, "history", ".jsonl");
                history.writeJsonLines(file);
                assertEquals(history.ops(), History.readJsonLines(file).ops());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void everyFaultWindowSurvivesTheRoundTrip() {
        Gen<FaultWindow> windows = random -> {
            long start = longs().between(0, Long.MAX_VALUE / 2).generate(random);
            long end = Generate.booleans().generate(random)
                    ? FaultWindow.OPEN
                    : start + longs().between(0, Long.MAX_VALUE / 2).generate(random);
            return new FaultWindow(strings().generate(random),
                    lists().of(integers().between(-1, 9)).ofSizeBetween(0, 4).generate(random),
                    nullable(strings()).generate(random), start, end);
        };
        qt().withExamples(EXAMPLES / 5).forAll(lists().of(windows).ofSizeBetween(0, 6)).checkAssert(list -> {
            try {
                Path file = Files.createTempFile(dir, "faults", ".jsonl");
                FaultHistory.writeJsonLines(file, list);
                assertEquals(list, FaultHistory.readJsonLines(file));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    // ---- generators

    /** Any op, recorded or not; payload fields independently empty or set. */
    static Gen<Op> ops() {
        Gen<String> names = Generate.pick(List.of(Op.SEND, Op.READ, Op.POLL, Op.COMMIT, Op.COMMITTED, Op.ASSIGN,
                Op.REVOKE, Op.CREATE_TOPIC, Op.DELETE_TOPIC, Op.LIST_TOPICS, "nemesis"));
        Gen<Message> messages = random -> new Message(strings().generate(random),
                integers().between(0, Integer.MAX_VALUE).generate(random), offsets().generate(random),
                nullable(strings()).generate(random), nullable(strings()).generate(random));
        Gen<TopicPartition> partitions = random -> new TopicPartition(strings().generate(random),
                integers().between(0, 20).generate(random));
        return random -> {
            Map<TopicPartition, Long> committed = new LinkedHashMap<>();
            for (TopicPartition tp : lists().of(partitions).ofSizeBetween(0, 3).generate(random)) {
                committed.put(tp, longs().between(-5, Long.MAX_VALUE).generate(random));
            }
            return new Op(
                    longs().between(-1, Long.MAX_VALUE).generate(random),
                    longs().all().generate(random),
                    integers().all().generate(random),
                    Generate.enumValues(Op.Type.class).generate(random),
                    Generate.booleans().generate(random) ? names.generate(random) : strings().generate(random),
                    integers().between(-1, 9).generate(random),
                    nullable(strings()).generate(random),
                    integers().between(-1, Integer.MAX_VALUE).generate(random),
                    nullable(strings()).generate(random),
                    nullable(strings()).generate(random),
                    longs().between(-1, Long.MAX_VALUE).generate(random),
                    nullable(strings()).generate(random),
                    lists().of(messages).ofSizeBetween(0, 3).generate(random),
                    committed,
                    lists().of(partitions).ofSizeBetween(0, 3).generate(random),
                    nullable(strings()).generate(random));
        };
    }

    private static Gen<Long> offsets() {
        return longs().between(0, Long.MAX_VALUE);
    }

    /**
     * Short strings of any UTF-16 code units: mostly the characters JSON must escape and
     * non-ASCII ones, including lone surrogates.
     */
    static Gen<String> strings() {
        Gen<Character> tricky = Generate.pick(List.of('"', '\\', '/', '\n', '\r', '\t', '\b', '\u0000', '\u001f',
                '\u007f', 'é', '\u2028', '\ud83d', '\ude00', '\uffff', 'a', 'Z', '0', ' ', '{', ':', ','));
        Gen<Character> any = Generate.characters(0, 0xffff);
        return lists().of(tricky.mix(any, 30)).ofSizeBetween(0, 6).map(chars -> {
            StringBuilder s = new StringBuilder();
            chars.forEach(s::append);
            return s.toString();
        });
    }

    private static <T> Gen<T> nullable(Gen<T> gen) {
        return gen.toOptionals(25).map(o -> o.orElse(null));
    }
}
