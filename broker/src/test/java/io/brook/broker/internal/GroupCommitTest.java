package io.brook.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.common.ManualClock;
import io.brook.storage.AppendResult;
import io.brook.storage.LogConfig;
import io.brook.storage.PartitionLog;
import io.brook.storage.testing.SimulatedFileIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The group commit's promise: a completed request covers everything appended before it was made. */
class GroupCommitTest {
    private final ManualClock clock = new ManualClock(0);

    private static void append(PartitionLog log, int i) {
        AppendResult result = log.appendAsLeader(new RecordBatchBuilder(CompressionType.NONE)
                .append(1L, null, ("v" + i).getBytes(StandardCharsets.UTF_8)).build(), 0);
        assertTrue(result instanceof AppendResult.Appended, result.toString());
    }

    @Test
    void everyRequestCompletesWithADurableEndAtLeastTheLogEndWhenItWasMadeAcrossLogs() throws Exception {
        SimulatedFileIo io = new SimulatedFileIo(1);
        List<PartitionLog> logs = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            logs.add(PartitionLog.open(io.root().resolve("t-" + p), LogConfig.defaults(), io, clock));
        }
        try (GroupCommit commit = new GroupCommit("test-flush", 2)) {
            List<CompletableFuture<Long>> requests = new ArrayList<>();
            List<Long> endsAtRequest = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                PartitionLog log = logs.get(i % 3);
                append(log, i);
                endsAtRequest.add(log.logEndOffset());
                requests.add(commit.flush(log));
            }
            for (int i = 0; i < requests.size(); i++) {
                long durable = requests.get(i).get(30, TimeUnit.SECONDS);
                assertTrue(durable >= endsAtRequest.get(i), "request " + i + " covered up to " + durable + ", below "
                        + endsAtRequest.get(i));
            }
            for (PartitionLog log : logs) {
                assertEquals(log.logEndOffset(), log.recoveryPoint());
            }
            assertTrue(io.forceCount() <= 300 * 2, "at most one fsync round per request: " + io.forceCount());
        } finally {
            for (PartitionLog log : logs) {
                log.close();
            }
        }
    }

    @Test
    void aFailedFsyncFailsItsRequests() throws IOException {
        SimulatedFileIo io = new SimulatedFileIo(2);
        PartitionLog log = PartitionLog.open(io.root().resolve("t-0"), LogConfig.defaults(), io, clock);
        try (GroupCommit commit = new GroupCommit("test-flush", 1)) {
            append(log, 0);
            io.failForces(true);
            CompletableFuture<Long> request = commit.flush(log);
            assertThrows(CompletionException.class, request::join);
        }
    }
}
