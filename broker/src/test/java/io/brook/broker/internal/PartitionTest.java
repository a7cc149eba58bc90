package io.brook.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.ErrorCode;
import io.brook.broker.internal.Partition.FollowerAppend;
import io.brook.broker.internal.Partition.ProduceResult;
import io.brook.common.ManualClock;
import io.brook.metadata.PartitionRegistration;
import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.PartitionLeaderState.IsrChange;
import io.brook.storage.FileIo;
import io.brook.storage.LogConfig;
import io.brook.storage.PartitionLog;
import io.brook.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One replica's rules without threads or network: a real log in a temporary directory, a manual
 * clock, a flusher completed by hand, ISR proposals captured.
 */
class PartitionTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long LAG_MAX = 10_000;

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(0);
    private final List<CompletableFuture<Long>> flushes = new ArrayList<>();
    private final List<PartitionLog> flushed = new ArrayList<>();
    private final List<IsrChange> proposals = new ArrayList<>();
    private PartitionLog log;

    private Partition partition(boolean flushOnAck) throws IOException {
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.defaults(), FileIo.real(), clock);
        Flusher manual = l -> {
            CompletableFuture<Long> f = new CompletableFuture<>();
            flushes.add(f);
            flushed.add(l);
            return f;
        };
        return new Partition(TP, UUID.randomUUID(), 1, log, flushOnAck, manual, clock, (p, change) -> proposals.add(change));
    }

    @AfterEach
    void close() throws IOException {
        if (log != null) {
            log.close();
        }
    }

    /** Completes the pending flushes as the group commit would: fsync, then the recovery point. */
    private void completeFlushes() {
        List<CompletableFuture<Long>> pending = new ArrayList<>(flushes);
        List<PartitionLog> logs = new ArrayList<>(flushed);
        flushes.clear();
        flushed.clear();
        for (int i = 0; i < pending.size(); i++) {
            logs.get(i).flush();
            pending.get(i).complete(logs.get(i).recoveryPoint());
        }
    }

    private static ByteBuffer batch(String... values) {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
        for (String v : values) {
            builder.append(1L, null, v.getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static PartitionRegistration leaderOf(int leader, int epoch, List<Integer> isr, int partitionEpoch) {
        return new PartitionRegistration(List.of(1, 2, 3), isr, leader, epoch, partitionEpoch);
    }

    @Test
    void acksAllWaitsForTheIsrAndWithFlushOnAckForTheLeadersOwnFsync() throws IOException {
        Partition p = partition(true);
        p.applyRegistration(leaderOf(1, 0, List.of(1, 2, 3), 0), 2, LAG_MAX);
        CompletableFuture<ProduceResult> answer = p.append(batch("a", "b"), -1, 30_000);
        assertFalse(answer.isDone());
        assertEquals(ErrorCode.NONE, p.onFollowerPosition(2, 0, 2).error());
        assertEquals(ErrorCode.NONE, p.onFollowerPosition(3, 0, 2).error());
        assertFalse(answer.isDone(), "every follower has it, but the leader has not flushed it");
        assertEquals(0, p.highWatermark(), "nor may a consumer read it");
        completeFlushes();
        assertTrue(answer.isDone());
        assertEquals(ErrorCode.NONE, answer.join().error());
        assertEquals(0, answer.join().baseOffset());
        assertEquals(2, p.highWatermark());
    }

    @Test
    void anAppendForAnotherLeaderEpochIsRefusedAndWritesNothing() throws IOException {
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 3, List.of(1), 0), 1, LAG_MAX);
        ProduceResult stale = p.append(batch("stale"), 1, 30_000, 2).join();
        assertEquals(ErrorCode.FENCED_LEADER_EPOCH, stale.error());
        assertEquals(0, p.log().logEndOffset(), "nothing written");
        assertEquals(ErrorCode.NONE, p.append(batch("current"), 1, 30_000, 3).join().error());
        assertEquals(1, p.log().logEndOffset());
    }

    @Test
    void withoutFlushOnAckTheIsrsPositionsAreEnoughAndAcksOneAnswersAtOnce() throws IOException {
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 0, List.of(1, 2), 0), 2, LAG_MAX);
        assertTrue(p.append(batch("one"), 1, 30_000).isDone(), "acks=1 answers after the append");
        CompletableFuture<ProduceResult> all = p.append(batch("all"), -1, 30_000);
        p.onFollowerPosition(2, 0, 2);
        assertTrue(all.isDone());
        assertEquals(1, all.join().baseOffset());
        assertTrue(flushes.isEmpty(), "no fsync was asked for");
    }

    @Test
    void losingTheLeadershipAnswersWaitingProducesAndTheFollowerIgnoresOtherEpochs() throws IOException {
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 0, List.of(1, 2, 3), 0), 2, LAG_MAX);
        CompletableFuture<ProduceResult> waiting = p.append(batch("x"), -1, 30_000);
        assertTrue(p.applyRegistration(leaderOf(2, 1, List.of(2, 3), 1), 2, LAG_MAX), "a leader to follow now");
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, waiting.join().error());
        assertEquals(2, waiting.join().leaderHint());
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, p.append(batch("y"), 1, 30_000).join().error());

        // Reconcile first: the new leader's epoch 0 ended at 0 (it never got "x").
        assertEquals(FollowerAppend.IGNORED, p.appendFromLeader(2, 1, 1, batch("z"), 0), "not reconciled yet");
        assertTrue(p.onEpochAnswer(1, 0, new EpochEnd(0, 0)));
        assertEquals(0, log.logEndOffset(), "the unacknowledged suffix was truncated by epochs");
        assertEquals(FollowerAppend.IGNORED, p.appendFromLeader(3, 1, 0, batch("z"), 0), "another leader");
        assertEquals(FollowerAppend.IGNORED, p.appendFromLeader(2, 0, 0, batch("z"), 0), "an old epoch");
        assertEquals(FollowerAppend.RESYNC, p.appendFromLeader(2, 1, 5, batch("z"), 0), "not contiguous");
        assertEquals(FollowerAppend.FAILED, p.appendFromLeader(2, 1, 0, leaderBatch(4, "later"), 0),
                "records of a later epoch under this one");
        assertEquals(0, log.logEndOffset());
        assertEquals(FollowerAppend.APPENDED, p.appendFromLeader(2, 1, 0, leaderBatch(1, "z"), 1));
        assertEquals(1, p.highWatermark());
    }

    @Test
    void aDeposedLeaderThatWroteNothingInItsEpochAsksAboutItsLastBatchsEpochNext() throws IOException {
        // Found by the replication simulation: the empty epoch recorded at the log end must go, or
        // the follower asks about it forever and never fetches again.
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 0, List.of(1, 2, 3), 0), 2, LAG_MAX);
        p.append(batch("a"), 1, 30_000);
        p.applyRegistration(leaderOf(1, 1, List.of(1, 2, 3), 1), 2, LAG_MAX); // a new epoch, nothing written
        assertEquals(1, log.latestEpoch().getAsInt());
        p.applyRegistration(leaderOf(2, 2, List.of(1, 2, 3), 2), 2, LAG_MAX);
        var ask = (io.brook.replication.PartitionFollowerState.AskEpochEnd) p.followerNext().orElseThrow().action();
        assertEquals(1, ask.epoch());
        assertFalse(p.onEpochAnswer(2, 1, new EpochEnd(0, 1)), "the leader knows only epoch 0, ending at 1");
        var next = p.followerNext().orElseThrow().action();
        assertEquals(new io.brook.replication.PartitionFollowerState.AskEpochEnd(0), next,
                "the empty epoch 1 is gone; the next question is about epoch 0");
        assertTrue(p.onEpochAnswer(2, 0, new EpochEnd(0, 1)));
        assertEquals(1, log.logEndOffset(), "the record stays");
    }

    private static ByteBuffer leaderBatch(int epoch, String value) {
        return new RecordBatchBuilder(CompressionType.NONE).partitionLeaderEpoch(epoch)
                .append(1L, null, value.getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void aStuckFollowerIsProposedOutOfTheIsrAndAnsweredProposalsApplyOnlyWhilePending() throws IOException {
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 0, List.of(1, 2, 3), 0), 2, LAG_MAX);
        p.append(batch("a"), 1, 30_000);
        p.onFollowerPosition(2, 0, 1);
        clock.advance(LAG_MAX + 1);
        p.onFollowerPosition(2, 0, 1);
        assertEquals(1, proposals.size(), "follower 3 has not caught up for replica.lag.time.max.ms");
        IsrChange shrink = proposals.get(0);
        assertEquals(List.of(1, 2), shrink.newIsr());
        IsrChange stale = new IsrChange(List.of(1), 0, 0);
        p.onIsrChangeResult(stale, ErrorCode.NONE, List.of(1), 0, 5);
        assertEquals(List.of(1, 2, 3), p.leaderState().orElseThrow().isr(), "an answer to another proposal is ignored");
        p.onIsrChangeResult(shrink, ErrorCode.NONE, List.of(1, 2), 0, 1);
        assertEquals(List.of(1, 2), p.leaderState().orElseThrow().isr());
        assertEquals(1, p.leaderState().orElseThrow().partitionEpoch());
    }

    @Test
    void minInsyncReplicasIsCheckedBeforeTheAppendAndWhenTheIsrShrinks() throws IOException {
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 0, List.of(1), 0), 2, LAG_MAX);
        ProduceResult refused = p.append(batch("a"), -1, 30_000).join();
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, refused.error());
        assertEquals(0, log.logEndOffset(), "nothing was written");

        Partition q = partitionAgain(List.of(1, 2));
        CompletableFuture<ProduceResult> waiting = q.append(batch("b"), -1, 30_000);
        q.applyRegistration(leaderOf(1, 0, List.of(1), 1), 2, LAG_MAX);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, waiting.join().error());
    }

    private Partition partitionAgain(List<Integer> isr) throws IOException {
        log.close();
        log = null;
        Partition p = partition(false);
        p.applyRegistration(leaderOf(1, 3, isr, 0), 2, LAG_MAX);
        return p;
    }
}
