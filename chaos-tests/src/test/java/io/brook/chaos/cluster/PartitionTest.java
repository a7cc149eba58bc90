package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.cluster.Partition.Link;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionTest {
    private static final List<Integer> FIVE = List.of(1, 2, 3, 4, 5);

    @Test
    void componentsCutEveryLinkBetweenThemAndNoneWithin() {
        Partition p = Partition.components(List.of(Set.of(1, 2, 3), Set.of(4, 5)), FIVE);

        assertEquals(6, p.cut().size());
        assertTrue(p.connected(1, 3) && p.connected(4, 5));
        assertFalse(p.connected(1, 4) || p.connected(5, 3));
        assertEquals("[1, 2, 3] | [4, 5]", p.description());
    }

    @Test
    void isolatingANodeCutsItsLinksOnly() {
        Partition p = Partition.isolate(2, List.of(1, 2, 3));

        assertEquals(Set.of(Link.between(1, 2), Link.between(2, 3)), p.cut());
        assertTrue(p.connected(1, 3));
    }

    @Test
    void aBridgeNodeTalksToBothHalvesWhichCannotTalkToEachOther() {
        Partition p = Partition.bridge(Set.of(1, 2), 3, Set.of(4, 5));

        assertTrue(p.connected(1, 3) && p.connected(3, 5) && p.connected(1, 2) && p.connected(4, 5));
        assertFalse(p.connected(1, 4) || p.connected(2, 5));
        assertEquals(4, p.cut().size());
    }

    @Test
    void componentsMustNameEveryNodeOnce() {
        assertThrows(IllegalArgumentException.class, () -> Partition.components(List.of(Set.of(1), Set.of(2)),
                List.of(1, 2, 3)), "node 3 left out");
        assertThrows(IllegalArgumentException.class, () -> Partition.components(List.of(Set.of(1, 2), Set.of(2, 3)),
                List.of(1, 2, 3)), "node 2 twice");
        assertThrows(IllegalArgumentException.class, () -> Partition.components(List.of(Set.of(1, 2), Set.of(3, 4)),
                List.of(1, 2, 3)), "no node 4");
    }

    @Test
    void linksAreUnorderedPairsOfDistinctNodes() {
        assertEquals(Link.between(3, 1), Link.between(1, 3));
        assertThrows(IllegalArgumentException.class, () -> Link.between(2, 2));
        assertTrue(Partition.NONE.connected(1, 2));
    }
}
