package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Node processes a crashed harness left behind are found by their owner mark and killed; a live owner's are not. */
class OrphanNodesTest {
    @Test
    void aNodeProcessWhoseOwnerIsGoneIsKilledAndOneWhoseOwnerLivesIsKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        // A stand-in for a node JVM: the shell waits for its child, and its arguments carry the mark.
        Process orphan = new ProcessBuilder("sh", "-c", "sleep 30; true", "-D" + ChaosCluster.OWNER_PROPERTY + "="
                + gone.pid()).start();
        Process owned = new ProcessBuilder("sh", "-c", "sleep 30; true", "-D" + ChaosCluster.OWNER_PROPERTY + "="
                + ProcessHandle.current().pid()).start();
        try {
            Await.until("the stand-ins run", java.time.Duration.ofSeconds(10), () ->
                    orphan.info().arguments().isPresent() && owned.info().arguments().isPresent());

            assertTrue(ChaosCluster.removeOrphanNodes().contains(orphan.pid()));

            assertTrue(orphan.waitFor(10, TimeUnit.SECONDS), "the orphan was killed");
            assertTrue(owned.isAlive(), "a live owner's node is kept");
            assertFalse(ChaosCluster.removeOrphanNodes().contains(owned.pid()));
        } finally {
            orphan.destroyForcibly();
            owned.destroyForcibly();
        }
    }
}
