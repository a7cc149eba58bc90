package io.brook.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.history.internal.OpCodec;
import io.brook.client.TopicPartition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    private static final TopicPartition Q0 = new TopicPartition("queue", 0);

    private final AtomicLong nanos = new AtomicLong();
    private final History history = new History(nanos::get);

    @TempDir
    Path dir;

    @Test
    void recordStampsTheNextIndexAndTheSuppliedTime() {
        nanos.set(1_000);
        Op first = history.record(Op.invokeSend(1, "queue", "k", "v1"));
        nanos.set(2_500);
        Op second = history.record(Op.okSend(1, "queue", "k", "v1", 0, 7).recordedAt(99, 99));

        assertEquals(0, first.index());
        assertEquals(1_000, first.timeNanos());
        assertEquals(1, second.index());
        assertEquals(2_500, second.timeNanos());
        assertEquals(List.of(first, second), history.ops());
    }

    @Test
    void opsIsASnapshot() {
        history.record(Op.invokePoll(1));
        List<Op> before = history.ops();
        history.record(Op.okPoll(1, List.of()));
        assertEquals(1, before.size());
        assertEquals(2, history.size());
    }

    @Test
    void concurrentRecordsGetDistinctIndexesInTimeOrder() throws InterruptedException {
        AtomicLong ticks = new AtomicLong();
        History shared = new History(ticks::incrementAndGet);
        int threads = 4;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int process = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    shared.record(Op.invokeSend(process, "queue", null, process + "-" + i));
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        List<Op> ops = shared.ops();
        assertEquals(threads * perThread, ops.size());
        for (int i = 0; i < ops.size(); i++) {
            assertEquals(i, ops.get(i).index());
            assertEquals(i + 1, ops.get(i).timeNanos(), "time order is index order");
        }
    }

    @Test
    void aHistoryBuiltFromOpsTakesNoNewOnesAndNeedsIncreasingIndexes() {
        History built = History.of(List.of(Op.invokePoll(1).recordedAt(0, 0), Op.invokePoll(2).recordedAt(5, 0)));
        assertThrows(IllegalStateException.class, () -> built.record(Op.invokePoll(3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> History.of(List.of(Op.invokePoll(1).recordedAt(3, 0), Op.invokePoll(2).recordedAt(3, 0))));
        assertTrue(e.getMessage().contains("op 3 after op 3"), e.getMessage());
    }

    @Test
    void aCompletionEndsItsProcesssOutstandingInvocation() {
        Op invokePoll = history.record(Op.invokePoll(7));
        Op invokeSend = history.record(Op.invokeSend(1, "queue", "k", "v"));
        Op okPoll = history.record(Op.okPoll(7, List.of()));
        Op infoSend = history.record(Op.infoSend(1, "queue", "k", "v", "timeout"));

        assertEquals(List.of(new Operation(invokePoll, okPoll), new Operation(invokeSend, infoSend)),
                history.operations());
    }

    @Test
    void inFlightSendsOfOneProcessPairByValue() {
        Op a = history.record(Op.invokeSend(1, "queue", "k", "a"));
        Op b = history.record(Op.invokeSend(1, "queue", "k", "b"));
        Op c = history.record(Op.invokeSend(1, "queue", "k", "c"));
        Op okB = history.record(Op.okSend(1, "queue", "k", "b", 0, 0));
        Op failA = history.record(Op.failSend(1, "queue", "k", "a", "not enough replicas"));

        List<Operation> operations = history.operations();
        assertEquals(List.of(new Operation(a, failA), new Operation(b, okB), new Operation(c, null)), operations);
        assertEquals(Op.Type.INFO, operations.get(2).outcome(), "never completed counts as indeterminate");
        assertEquals(Long.MAX_VALUE, operations.get(2).completeIndex());
    }

    @Test
    void aCompletionWithoutInvocationIsANotification() {
        Op assigned = history.record(Op.assigned(3, "g", List.of(Q0)));
        Operation notification = history.operations().get(0);
        assertNull(notification.invocation());
        assertEquals(assigned, notification.completion());
        assertEquals("op 0", notification.describeOps());
        assertEquals(Op.Type.OK, notification.outcome());
    }

    @Test
    void theLineFormatIsFlatAndLeavesEmptyFieldsOut() {
        nanos.set(1_500_000);
        Op send = history.record(Op.okSend(2, "queue", "k2", "2-17", 0, 41).withNode(1));
        Op poll = history.record(Op.okPoll(10, List.of(new Message("queue", 0, 41, "k2", "2-17"))));
        Op commit = history.record(Op.okCommit(10, "g", Map.of(Q0, 42L)));
        Op failed = history.record(Op.invokeSend(3, "queue", null, "say \"hi\"\n").fail("é"));

        assertEquals("{\"index\":0,\"timeNanos\":1500000,\"process\":2,\"type\":\"ok\",\"f\":\"send\",\"node\":1,"
                + "\"topic\":\"queue\",\"partition\":0,\"key\":\"k2\",\"value\":\"2-17\",\"offset\":41}",
                OpCodec.encode(send));
        assertEquals("{\"index\":1,\"timeNanos\":1500000,\"process\":10,\"type\":\"ok\",\"f\":\"poll\","
                + "\"messages\":[{\"topic\":\"queue\",\"partition\":0,\"offset\":41,\"key\":\"k2\",\"value\":\"2-17\"}]}",
                OpCodec.encode(poll));
        assertEquals("{\"index\":2,\"timeNanos\":1500000,\"process\":10,\"type\":\"ok\",\"f\":\"commit\",\"group\":\"g\","
                + "\"offsets\":[{\"topic\":\"queue\",\"partition\":0,\"offset\":42}]}", OpCodec.encode(commit));
        assertEquals("{\"index\":3,\"timeNanos\":1500000,\"process\":3,\"type\":\"fail\",\"f\":\"send\","
                + "\"topic\":\"queue\",\"value\":\"say \\\"hi\\\"\\n\",\"error\":\"\\u00e9\"}", OpCodec.encode(failed));
    }

    @Test
    void readingAcceptsOrdinaryJsonSpacingAndEscapes() {
        Op op = OpCodec.decode(" { \"type\" : \"info\", \"f\":\"send\", \"index\":4, \"timeNanos\":-2,"
                + " \"process\":1, \"value\":\"a\\/b\\u00E9\\ud83d\\ude00\", \"key\":null } ");
        assertEquals(Op.Type.INFO, op.type());
        assertEquals("a/bé😀", op.value());
        assertNull(op.key());
        assertEquals(-1, op.partition());
    }

    @Test
    void readingRejectsMalformedLinesNamingTheLine() throws IOException {
        Path file = dir.resolve("history.jsonl");
        Files.writeString(file, "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"poll\"}\n"
                + "\n"
                + "{\"index\":1,\"timeNanos\":0,\"process\":1,\"type\":\"ok\",\"f\":\"poll\",\"colour\":\"red\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> History.readJsonLines(file));
        assertTrue(e.getMessage().endsWith("history.jsonl:3: op has an unknown field \"colour\""), e.getMessage());
    }

    @Test
    void readingRejectsWhatTheFormatNeverHolds() {
        Map<String, String> bad = Map.of(
                "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"invoke\"}", "lacks the field \"f\"",
                "{\"index\":0.5,\"timeNanos\":0,\"process\":1,\"type\":\"ok\",\"f\":\"x\"}", "only integers",
                "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"done\",\"f\":\"x\"}", "unknown type",
                "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"ok\",\"f\":\"x\"} x", "trailing text",
                "{\"index\":0,\"index\":1}", "duplicate field",
                "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"ok\",\"f\":3}", "must be a string",
                "{\"index\":0,\"timeNanos\":0,\"process\":99999999999,\"type\":\"ok\",\"f\":\"x\"}", "out of range",
                "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"ok\",\"f\":\"x\"", "unexpected end",
                "[1]", "must be a JSON object",
                "{\"index\":0,\"timeNanos\":0,\"process\":1,\"type\":\"ok\",\"f\":\"a\tb\"}", "unescaped control");
        bad.forEach((line, why) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpCodec.decode(line),
                    line);
            assertTrue(e.getMessage().contains(why), line + " -> " + e.getMessage());
        });
    }

    @Test
    void theFileRoundTripKeepsEveryOp() throws IOException {
        history.record(Op.invokeRead(20, Q0));
        history.record(Op.okRead(20, Q0, List.of(new Message("queue", 0, 0, null, "v"))));
        history.record(Op.revoked(10, "g", List.of()));
        history.record(Op.okCommitted(10, "g", Map.of(Q0, 3L, new TopicPartition("queue", 1), 0L)));
        Path file = dir.resolve("history.jsonl");
        history.writeJsonLines(file);
        assertEquals(history.ops(), History.readJsonLines(file).ops());
        assertEquals(history.toJsonLines(), Files.readString(file));
    }

    @Test
    void faultHistoryStampsStartAndHeal() throws IOException {
        FaultHistory faults = new FaultHistory(nanos::get);
        nanos.set(10);
        int kill = faults.start("kill", List.of(2), "leader of queue-0");
        nanos.set(20);
        int pause = faults.start("pause", List.of(1, 3), null);
        nanos.set(30);
        faults.heal(kill);
        assertThrows(IllegalStateException.class, () -> faults.heal(kill));

        List<FaultWindow> windows = faults.windows();
        assertEquals(new FaultWindow("kill", List.of(2), "leader of queue-0", 10, 30), windows.get(0));
        assertEquals(FaultWindow.open("pause", List.of(1, 3), null, 20), windows.get(pause));
        assertTrue(windows.get(0).healed() && !windows.get(1).healed());

        Path file = dir.resolve("faults.jsonl");
        FaultHistory.writeJsonLines(file, windows);
        assertEquals("{\"kind\":\"kill\",\"targets\":[2],\"detail\":\"leader of queue-0\",\"startNanos\":10,"
                + "\"endNanos\":30}\n{\"kind\":\"pause\",\"targets\":[1,3],\"startNanos\":20}\n", Files.readString(file));
        assertEquals(windows, FaultHistory.readJsonLines(file));
    }

    @Test
    void opValidatesItsFieldsAndCopiesCollections() {
        List<Message> messages = new ArrayList<>(List.of(new Message("queue", 0, 0, null, "v")));
        Op poll = Op.okPoll(1, messages);
        messages.clear();
        assertEquals(1, poll.messages().size());
        assertThrows(IllegalArgumentException.class, () -> Op.okSend(1, "q", null, "v", -2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Message("q", 0, -1, null, "v"));
        assertThrows(IllegalStateException.class, () -> poll.ok(), "only an invocation completes");
        Set<Op> set = new HashSet<>(List.of(Op.okCommit(1, "g", Map.of(Q0, 1L)), Op.okCommit(1, "g", Map.of(Q0, 1L))));
        assertEquals(1, set.size());
    }
}
