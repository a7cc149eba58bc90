package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.check.CheckResult;
import io.brook.chaos.cluster.ChaosIts;
import io.brook.chaos.cluster.FaultKind;
import io.brook.chaos.cluster.NetworkMode;
import io.brook.chaos.run.ChaosRunner;
import io.brook.chaos.run.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounded chaos runs of the README's test command (issue 7): against the shaded jar, three
 * node processes in network namespaces, one 45 s schedule per fault kind with every workload
 * (producers, a consumer group, topic creates and deletes) must find no anomaly; and a
 * deliberately broken build (acks=all answered before replication, a test-only switch) must be
 * caught by the lost-write checker. About four minutes.
 *
 * <p>Network namespaces need root. Without them the runs fail with
 * {@code NetworkNamespacesUnavailableException} saying what is missing; {@code -Dchaos.skip=true}
 * skips them (visibly, as skipped tests).
 */
class ChaosRunIT {
    @BeforeAll
    static void namespacesAvailable() {
        ChaosIts.assumeNotSkipped();
    }

    private static ChaosRunner.Outcome run(FaultKind kind, long seed, int seconds, Set<Workload> workloads,
            List<String> jvmOptions) throws Exception {
        Path report = Files.createTempDirectory("brook-chaos-it-" + kind.name().toLowerCase());
        return ChaosRunner.run(ChaosRunner.Options.builder(ChaosIts.jar(), report).nodes(3).duration(Duration.ofSeconds(seconds))
                .faults(List.of(kind)).workloads(workloads).rate(500).seed(seed).network(NetworkMode.NAMESPACES)
                .nodeJvmOptions(jvmOptions).build());
    }

    @Test
    void killPauseAndPartitionSchedulesFindNoAnomaly() throws Exception {
        for (FaultKind kind : FaultKind.values()) {
            ChaosRunner.Outcome outcome = run(kind, 42, 45, EnumSet.allOf(Workload.class), List.of());
            assertTrue(outcome.valid(), kind + ", seed 42, report " + outcome.reportDir() + ":\n" + outcome.summary());
        }
    }

    @Test
    void theCheckersCatchABuildThatAcknowledgesBeforeReplicating() throws Exception {
        // 45 s: the schedule then holds an 8.6 s isolation, longer than the majority needs to elect a
        // new controller and leaders. (A 30 s schedule has one 3.9 s split only; once, the majority
        // had not elected anyone before the heal, the cut-off node's controller committed its view,
        // and nothing acknowledged was lost even by the broken build.)
        ChaosRunner.Outcome outcome = run(FaultKind.PARTITION, 42, 45, EnumSet.of(Workload.QUEUE),
                List.of("-Dbrook.test.unsafeAckBeforeReplication=true"));
        assertFalse(outcome.valid(), "the broken build passed: " + outcome.summary());
        CheckResult lost = outcome.results().stream().filter(r -> r.name().equals("lost-write")).findFirst()
                .orElseThrow();
        assertFalse(lost.valid(), "acknowledged writes lost by the broken build must be reported as lost writes: "
                + outcome.summary());
    }
}
