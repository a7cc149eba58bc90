package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** `brook chaos run` usage errors: exit status 2, the problem named, decided before any node starts. */
class ChaosCommandTest {
    private static void assertUsage(String message, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "chaos";
        all[1] = "run";
        all[2] = "--jar";
        all[3] = "/nonexistent/brook.jar"; // nothing starts: a usage error comes first
        System.arraycopy(args, 0, all, 4, args.length);
        CliTestSupport.Outcome outcome = CliTestSupport.run(all);
        assertEquals(2, outcome.exit(), outcome.toString());
        assertTrue(outcome.err().startsWith(message + "\n"), outcome.err());
    }

    @Test
    void unknownWorkloadsFaultsAndNetworksAreNamed() {
        assertUsage("Unknown workload 'queues': expected queue, group, metadata or all (comma-separated).",
                "--workload", "group,queues");
        assertUsage("Unknown fault 'crash': expected kill, pause or partition.", "--faults", "kill,crash");
        assertUsage("--network must be namespaces or loopback, not 'tcp'.", "--network", "tcp");
        assertUsage("--network loopback cannot partition nodes (partitions need network namespaces, as root): use "
                + "--faults kill,pause", "--network", "loopback");
    }

    @Test
    void badDurationsAndCountsAreRefused() {
        assertUsage("Invalid --duration '5 minutes': expected for example 45s, 30m or 1h.", "--duration", "5 minutes");
        assertUsage("--nodes, --producers, --consumers, --partitions and --rate must be at least 1 and --controllers"
                + " at least 0", "--consumers", "0");
        assertUsage("--nodes, --producers, --consumers, --partitions and --rate must be at least 1 and --controllers"
                + " at least 0", "--controllers", "-1");
    }

    @Test
    void theHelpListsTheWorkloadsAndTheSeparateControllers() {
        CliTestSupport.Outcome outcome = CliTestSupport.run("chaos", "run", "--help");
        assertEquals(0, outcome.exit(), outcome.toString());
        for (String option : new String[] {"--workload", "--controllers", "--consumers", "--seed", "--report",
                "--node-jvm-option"}) {
            assertTrue(outcome.out().contains(option), option + " in " + outcome.out());
        }
        assertTrue(outcome.out().contains("metadata"), outcome.out());
    }
}
