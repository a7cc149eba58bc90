package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackNetworkTest {
    @Test
    void everyNodeGetsPortsOfItsOwnOn127001() {
        LoopbackNetwork network = new LoopbackNetwork(List.of(1, 2, 3));
        Set<Integer> ports = new HashSet<>();
        for (int node = 1; node <= 3; node++) {
            assertEquals("127.0.0.1", network.host(node));
            assertEquals(List.of(), network.launchPrefix(node));
            ports.addAll(List.of(network.brokerPort(node), network.controllerPort(node), network.raftPort(node)));
        }
        assertEquals(9, ports.size());
    }

    @Test
    void partitionsAreRefusedSayingTheyNeedNamespaces() {
        LoopbackNetwork network = new LoopbackNetwork(List.of(1, 2, 3));
        assertFalse(network.supportsPartitions());
        network.apply(Partition.NONE); // healing is always fine

        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> network.apply(Partition.isolate(1, List.of(1, 2, 3))));
        assertTrue(e.getMessage().contains("network namespaces") && e.getMessage().contains("root"), e.getMessage());
        assertEquals(Partition.NONE, network.current());
    }
}
