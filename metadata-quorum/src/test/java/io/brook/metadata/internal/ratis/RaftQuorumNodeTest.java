package io.brook.metadata.internal.ratis;

import io.brook.metadata.testing.Await;
import static io.brook.metadata.internal.ratis.TestQuorum.clusterConfigs;
import static io.brook.metadata.internal.ratis.TestQuorum.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.MetadataImage;
import io.brook.metadata.StorageFormatException;
import io.brook.metadata.internal.MetadataLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Ratis: controllers in this JVM over gRPC on 127.0.0.1. Each test is bounded by a
 * {@link Timeout}; every wait has its own deadline and says what it waited for.
 */
class RaftQuorumNodeTest {
    private static final Duration ELECTION = Duration.ofSeconds(20);
    private static final Duration APPEND = Duration.ofSeconds(20);
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private TestQuorum quorum;

    @AfterEach
    void closeQuorum() {
        if (quorum != null) {
            quorum.close();
        }
    }

    @Test
    void aControllerRefusesToStartOnAnUnformattedDirectory() {
        RaftQuorumNode node = new RaftQuorumNode(new RaftQuorumNode.Settings(1,
                List.of(new QuorumVoter(1, "127.0.0.1", 1)), new QuorumVoter(1, "127.0.0.1", 1), root, 1000, 10, 1 << 20),
                new TestQuorum.RecordingListener(), List.of());
        try {
            StorageFormatException e = assertThrows(StorageFormatException.class, node::start);
            assertTrue(e.getMessage().contains("brook storage format"), e.getMessage());
        } finally {
            node.close();
        }
    }

    @Test
    @Timeout(90)
    void threeControllersElectOneLeaderCommitAppendsAndConvergeOnTheSameImage() throws Exception {
        quorum = new TestQuorum(root, 3, 20_000, 1 << 20).startAll();
        int leader = quorum.awaitActiveController(ELECTION);
        long term = quorum.listeners.get(leader).activeTerm;
        Await.until("every controller knows leader " + leader, ELECTION,
                () -> quorum.running.values().stream().allMatch(n -> statusLeader(n) == leader), quorum::describe);

        long lastIndex = 0;
        for (int i = 0; i < 20; i++) {
            long index = quorum.node(leader).metadataLog().append(term, config("k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            assertTrue(index > lastIndex, "log indexes increase");
            lastIndex = index;
        }
        MetadataImage leaderImage = quorum.node(leader).image();
        assertEquals(lastIndex, leaderImage.provenance().lastAppliedIndex(),
                "the append completes after the batch is applied on the appending node");
        assertEquals(20, clusterConfigs(leaderImage).size());
        quorum.awaitConverged(leaderImage, CONVERGE);

        for (int id = 1; id <= 3; id++) {
            assertTrue(TestQuorum.strictlyIncreasing(quorum.published.get(id)), "publishers see log order on " + id);
            List<String> calls = quorum.listeners.get(id).calls;
            assertEquals(id == leader ? List.of("become " + term) : List.of(), calls, "leadership calls on " + id);
        }

        final long appended = lastIndex;
        Await.until("the leader sees every voter caught up", CONVERGE, () -> {
            QuorumStatus s = quorum.node(leader).status();
            return s.voters().size() == 3 && s.voters().stream().allMatch(v -> v.matchIndex() >= appended && v.lag() == 0);
        }, quorum::describe);
        QuorumStatus status = quorum.node(leader).status();
        assertTrue(status.isLeader());
        assertEquals(leader, status.leaderId());
        assertEquals(term, status.currentTerm());
        assertEquals(List.of(1, 2, 3), status.voters().stream().map(QuorumStatus.VoterStatus::id).toList());

        // Appends for another term than the current one never reach the log.
        ExecutionException stale = assertThrows(ExecutionException.class,
                () -> quorum.node(leader).metadataLog().append(term - 1, config("stale", "x")).get(10, TimeUnit.SECONDS));
        assertInstanceOf(MetadataLog.NotLeaderException.class, stale.getCause());
        int follower = leader % 3 + 1;
        ExecutionException notLeader = assertThrows(ExecutionException.class,
                () -> quorum.node(follower).metadataLog().append(term, config("f", "x")).get(10, TimeUnit.SECONDS));
        MetadataLog.NotLeaderException refused = assertInstanceOf(MetadataLog.NotLeaderException.class, notLeader.getCause());
        assertEquals(leader, refused.leaderHint());
        quorum.awaitConverged(leaderImage, CONVERGE);
        assertEquals(appended, quorum.node(leader).image().provenance().lastAppliedIndex());
    }

    @Test
    @Timeout(150)
    void noAcknowledgedAppendIsLostAcrossThreeLeaderKills() throws Exception {
        quorum = new TestQuorum(root, 3, 20_000, 1 << 20).startAll();
        Map<String, String> acked = new LinkedHashMap<>();
        int next = 0;
        for (int round = 0; round < 3; round++) {
            int leader = quorum.awaitActiveController(ELECTION);
            long term = quorum.listeners.get(leader).activeTerm;
            for (int i = 0; i < 10; i++, next++) {
                quorum.appendAcked(config("k" + next, "v" + next), APPEND);
                acked.put("k" + next, "v" + next);
            }
            // Kill the leader while appends continue: they are refused until another controller leads.
            CompletableFuture<Void> killing = CompletableFuture.runAsync(() -> quorum.kill(leader));
            for (int i = 0; i < 10; i++, next++) {
                quorum.appendAcked(config("k" + next, "v" + next), APPEND);
                acked.put("k" + next, "v" + next);
            }
            killing.get(30, TimeUnit.SECONDS);
            int newLeader = quorum.activeController();
            assertTrue(newLeader != leader && quorum.listeners.get(newLeader).activeTerm > term,
                    "a new controller leads a later term");
            assertEquals(List.of("become " + term, "resign " + term),
                    quorum.listeners.get(leader).calls.subList(quorum.listeners.get(leader).calls.size() - 2,
                            quorum.listeners.get(leader).calls.size()),
                    "the killed leader was told it resigned");
            quorum.start(leader); // restart on the same directory and port
        }
        int leader = quorum.awaitActiveController(ELECTION);
        MetadataImage finalImage = quorum.node(leader).image();
        quorum.awaitConverged(finalImage, CONVERGE);
        Map<String, String> committed = clusterConfigs(finalImage);
        for (Map.Entry<String, String> e : acked.entrySet()) {
            assertEquals(e.getValue(), committed.get(e.getKey()), "acknowledged " + e.getKey() + " survived");
        }
        assertEquals(60, acked.size());
    }

    @Test
    @Timeout(60)
    void aSnapshotIsAlsoTakenAfterEnoughBytesOfBatches() throws Exception {
        quorum = new TestQuorum(root, 1, 1_000_000, 8 * 1024, 16 * 1024).startAll();
        int leader = quorum.awaitActiveController(ELECTION);
        String value = "x".repeat(1000);
        for (int i = 0; i < 4; i++) {
            quorum.appendAcked(config("k" + i, value), APPEND);
        }
        assertEquals(-1, quorum.node(leader).status().lastSnapshotIndex(), "4 KB: not yet");
        for (int i = 4; i < 12; i++) {
            quorum.appendAcked(config("k" + i, value), APPEND);
        }
        Await.until("a snapshot after 8 KiB of batches", CONVERGE,
                () -> quorum.node(leader).status().lastSnapshotIndex() > 0, quorum::describe);
    }

    @Test
    @Timeout(120)
    void aControllerRestartedAfterTheLeaderPurgedItsLogCatchesUpBySnapshotInstallation() throws Exception {
        // Small segments and a small snapshot interval so that the leader purges quickly.
        quorum = new TestQuorum(root, 3, 50, 16 * 1024).startAll();
        int leader = quorum.awaitActiveController(ELECTION);
        long term = quorum.listeners.get(leader).activeTerm;
        int lagging = leader % 3 + 1;
        quorum.appendAcked(config("before", "kill"), APPEND);
        quorum.awaitConverged(quorum.node(leader).image(), CONVERGE);
        long laggingApplied = quorum.node(lagging).image().provenance().lastAppliedIndex();
        quorum.kill(lagging);

        String value = "x".repeat(1000);
        MetadataLog log = quorum.node(leader).metadataLog();
        for (int window = 0; window < 10; window++) {
            List<CompletableFuture<Long>> inFlight = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                inFlight.add(log.append(term, config("k" + (window * 20 + i), value)));
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        Await.until("the leader purged its log past the stopped controller", CONVERGE,
                () -> quorum.node(leader).status().logStartIndex() > laggingApplied + 1, quorum::describe);

        RaftQuorumNode restarted = quorum.start(lagging);
        MetadataImage leaderImage = quorum.node(leader).image();
        quorum.awaitConverged(leaderImage, CONVERGE);
        assertTrue(restarted.snapshotsInstalled() >= 1, "caught up by installing the leader's snapshot");
        assertEquals(201, clusterConfigs(restarted.image()).size());
        assertTrue(quorum.node(leader).status().lastSnapshotIndex() > 0);

        // The third controller took its own snapshots; restarted, it starts from the newest one.
        int third = 6 - leader - lagging;
        Await.until("controller " + third + " has a snapshot", CONVERGE,
                () -> quorum.node(third).status().lastSnapshotIndex() > 0, quorum::describe);
        quorum.kill(third);
        RaftQuorumNode reloaded = quorum.start(third);
        quorum.awaitConverged(leaderImage, CONVERGE);
        assertTrue(reloaded.snapshotsLoaded() >= 1, "loaded its own snapshot at startup");
        assertEquals(0, reloaded.snapshotsInstalled());
    }

    @Test
    @Timeout(120)
    void membershipChangeFromThreeToFourToThreeVotersKeepsServingAppends() throws Exception {
        quorum = new TestQuorum(root, 3, 20_000, 1 << 20).startAll();
        int leader = quorum.awaitActiveController(ELECTION);
        quorum.appendAcked(config("a", "1"), APPEND);

        RaftQuorumNode joining = quorum.start(4);
        QuorumVoter address = quorum.address(4);
        quorum.node(leader).addVoter(4, address.host(), address.port()).get(60, TimeUnit.SECONDS);
        assertEquals(List.of(1, 2, 3, 4), voterIds(quorum.node(leader).status()));
        quorum.appendAcked(config("b", "2"), APPEND);
        quorum.awaitConverged(quorum.node(quorum.awaitActiveController(ELECTION)).image(), CONVERGE);
        assertEquals(Map.of("a", "1", "b", "2"), clusterConfigs(joining.image()));

        int current = quorum.awaitActiveController(ELECTION);
        quorum.node(current).removeVoter(4).get(60, TimeUnit.SECONDS);
        assertEquals(List.of(1, 2, 3), voterIds(quorum.node(current).status()));
        quorum.kill(4);
        quorum.appendAcked(config("c", "3"), APPEND);
        quorum.awaitConverged(quorum.node(quorum.awaitActiveController(ELECTION)).image(), CONVERGE);
        assertEquals(Map.of("a", "1", "b", "2", "c", "3"), clusterConfigs(quorum.node(1).image()));
    }

    private static List<Integer> voterIds(QuorumStatus status) {
        return status.voters().stream().map(QuorumStatus.VoterStatus::id).toList();
    }

    private static int statusLeader(RaftQuorumNode node) {
        return node.status().leaderId();
    }
}
