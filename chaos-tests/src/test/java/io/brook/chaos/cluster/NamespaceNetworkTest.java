package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The namespaces themselves, without Brook: TCP connects between them (to a port nobody listens
 * on, so a reachable node answers with a reset at once) show which links are cut and how. Needs
 * root; fails, saying so, without.
 */
class NamespaceNetworkTest {
    /** What a connect from one namespace to another's address came to. */
    private enum Outcome {
        /** A reset: the packets got through. */
        REFUSED,
        /** No answer within the probe's 1.5 s: the packets vanish (a real partition). */
        HANGS,
        /** EINVAL from the sender's own kernel (a blackhole route). */
        LOCAL_ERROR
    }

    @Test
    void silentDropsCutBothDirectionsOfEveryCutLinkAndNothingElse() {
        try (NamespaceNetwork network = NamespaceNetwork.create(List.of(1, 2, 3), PartitionMethod.SILENT_DROP)) {
            assertEquals(Map.of("1>2", Outcome.REFUSED, "2>1", Outcome.REFUSED, "1>3", Outcome.REFUSED,
                    "3>1", Outcome.REFUSED, "2>3", Outcome.REFUSED, "3>2", Outcome.REFUSED), probeAll(network));

            network.apply(Partition.isolate(1, List.of(1, 2, 3)));
            assertEquals(Map.of("1>2", Outcome.HANGS, "2>1", Outcome.HANGS, "1>3", Outcome.HANGS,
                    "3>1", Outcome.HANGS, "2>3", Outcome.REFUSED, "3>2", Outcome.REFUSED), probeAll(network));
            for (int node = 1; node <= 3; node++) {
                assertEquals(Outcome.REFUSED, probe(List.of(), network.host(node)), "the harness reaches node " + node);
            }

            network.apply(Partition.bridge(java.util.Set.of(1), 2, java.util.Set.of(3))); // 1-2 restored, 1-3 kept
            assertEquals(Map.of("1>2", Outcome.REFUSED, "2>1", Outcome.REFUSED, "1>3", Outcome.HANGS,
                    "3>1", Outcome.HANGS, "2>3", Outcome.REFUSED, "3>2", Outcome.REFUSED), probeAll(network));

            network.apply(Partition.NONE);
            assertEquals(Map.of("1>2", Outcome.REFUSED, "2>1", Outcome.REFUSED, "1>3", Outcome.REFUSED,
                    "3>1", Outcome.REFUSED, "2>3", Outcome.REFUSED, "3>2", Outcome.REFUSED), probeAll(network));
        }
    }

    @Test
    void blackholeRoutesFailNewConnectsAtOnceInBothDirections() {
        try (NamespaceNetwork network = NamespaceNetwork.create(List.of(1, 2), PartitionMethod.BLACKHOLE_ROUTE)) {
            network.apply(Partition.isolate(2, List.of(1, 2)));
            assertEquals(Map.of("1>2", Outcome.LOCAL_ERROR, "2>1", Outcome.LOCAL_ERROR), probeAll(network));
            network.apply(Partition.NONE);
            assertEquals(Map.of("1>2", Outcome.REFUSED, "2>1", Outcome.REFUSED), probeAll(network));
        }
    }

    @Test
    void closeRemovesTheNamespacesVethsAndBridge() {
        NamespaceNetwork network = NamespaceNetwork.create(List.of(1, 2), PartitionMethod.SILENT_DROP);
        String ns = network.namespace(1);
        String bridge = network.bridge();
        assertTrue(Commands.run("ip", "netns", "list").contains(ns));

        network.close();
        network.close();

        assertFalse(Commands.run("ip", "netns", "list").contains(ns.substring(0, ns.length() - 1)));
        assertFalse(Commands.run("ip", "-o", "link", "show").contains(bridge));
        String tag = bridge.substring("brk-".length());
        assertFalse(Commands.run("ip", "-o", "link", "show").contains("vb-" + tag + "-"));
    }

    @Test
    void leftoversOfADeadOwnerAreRemovedWithTheirProcessesAndALiveOwnersAreKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String deadTag = Long.toString(gone.pid(), 36) + "-0";
        String liveTag = Long.toString(ProcessHandle.current().pid(), 36) + "-zz";
        String deadNs = "brook-" + deadTag + "-1";
        String liveNs = "brook-" + liveTag + "-1";
        try {
            Commands.run("ip", "netns", "add", deadNs);
            Commands.run("ip", "link", "add", "brk-" + deadTag, "type", "bridge");
            Commands.run("ip", "link", "add", "vb-" + deadTag + "-1", "type", "veth", "peer", "name", "eth0", "netns",
                    deadNs);
            Commands.run("ip", "netns", "add", liveNs);
            Process orphan = new ProcessBuilder("ip", "netns", "exec", deadNs, "sleep", "600").start();

            List<String> removed = NamespaceNetwork.removeLeftovers();

            assertTrue(removed.containsAll(List.of(deadNs, "brk-" + deadTag)), removed.toString());
            assertTrue(orphan.waitFor(10, TimeUnit.SECONDS), "the process left in the namespace was killed");
            String namespaces = Commands.run("ip", "netns", "list");
            assertFalse(namespaces.contains(deadNs));
            assertTrue(namespaces.contains(liveNs), "a live owner's namespace stays");
            String links = Commands.run("ip", "-o", "link", "show");
            assertFalse(links.contains("brk-" + deadTag) || links.contains("vb-" + deadTag));
        } finally {
            Commands.tryRun("ip", "netns", "del", liveNs);
            Commands.tryRun("ip", "netns", "del", deadNs);
            Commands.tryRun("ip", "link", "del", "brk-" + deadTag);
        }
    }

    private static Map<String, Outcome> probeAll(NamespaceNetwork network) {
        List<Integer> nodes = network.nodes();
        Map<String, CompletableFuture<Outcome>> probes = new TreeMap<>();
        for (int from : nodes) {
            for (int to : nodes) {
                if (from != to) {
                    List<String> prefix = network.launchPrefix(from);
                    String address = network.host(to);
                    probes.put(from + ">" + to, CompletableFuture.supplyAsync(() -> probe(prefix, address)));
                }
            }
        }
        Map<String, Outcome> outcomes = new TreeMap<>();
        probes.forEach((link, outcome) -> outcomes.put(link, outcome.join()));
        return outcomes;
    }

    /** A TCP connect to port 1 of {@code address}, run in the network of {@code prefix}. */
    private static Outcome probe(List<String> prefix, String address) {
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of("timeout", "1.5", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/1"));
        Commands.Result result = Commands.tryRun(command.toArray(String[]::new));
        if (result.exitStatus() == 124) {
            return Outcome.HANGS;
        }
        if (result.output().contains("Connection refused")) {
            return Outcome.REFUSED;
        }
        if (result.output().contains("Invalid argument")) {
            return Outcome.LOCAL_ERROR;
        }
        throw new AssertionError("unexpected probe outcome: " + result);
    }
}
