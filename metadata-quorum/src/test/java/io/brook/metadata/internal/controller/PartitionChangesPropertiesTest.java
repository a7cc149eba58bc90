package io.brook.metadata.internal.controller;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.metadata.PartitionRegistration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The election rules of {@link PartitionChanges}, for arbitrary partitions and broker states. */
class PartitionChangesPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 20;
    private static final UUID TOPIC = new UUID(1, 2);

    private record Case(PartitionRegistration partition, Set<Integer> removed, Set<Integer> eligible, boolean unclean) {}

    private static Case generate(long seed) {
        Random random = new Random(seed);
        List<Integer> brokers = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6));
        Collections.shuffle(brokers, random);
        List<Integer> replicas = brokers.subList(0, 1 + random.nextInt(5));
        List<Integer> isr = new ArrayList<>();
        for (int r : replicas) {
            if (random.nextBoolean()) {
                isr.add(r);
            }
        }
        if (isr.isEmpty()) {
            isr.add(replicas.get(random.nextInt(replicas.size())));
        }
        Collections.shuffle(isr, random); // an ISR from AlterPartition may come in any order
        int leader = random.nextInt(4) == 0 ? PartitionRegistration.NO_LEADER : isr.get(random.nextInt(isr.size()));
        Set<Integer> removed = new HashSet<>();
        Set<Integer> eligible = new HashSet<>();
        for (int b = 0; b < 7; b++) {
            if (random.nextInt(3) == 0) {
                removed.add(b);
            }
            if (random.nextInt(3) != 0 && !removed.contains(b)) {
                eligible.add(b);
            }
        }
        return new Case(new PartitionRegistration(replicas, isr, leader, 3, 7), removed, eligible, random.nextBoolean());
    }

    @Test
    void theLeaderIsTheFirstEligibleIsrReplicaInAssignmentOrderOrNobody() {
        qt().withExamples(EXAMPLES).forAll(integers().all()).checkAssert(seed -> {
            Case c = generate(seed);
            PartitionRegistration before = c.partition();
            Optional<PartitionChangeRecord> change = PartitionChanges.removeFromIsrAndElect(TOPIC, 0, before,
                    c.removed()::contains, c.eligible()::contains, c.unclean());
            PartitionRegistration after = change.isPresent() ? before.merge(change.get()) : before;
            String story = c + " -> " + after;

            check(!after.isr().isEmpty(), "the ISR is never empty: " + story);
            check(after.replicas().containsAll(after.isr()), "the ISR is a subset of the replicas: " + story);
            check(before.isr().containsAll(after.isr()) || after.isr().equals(List.of(after.leader())),
                    "the ISR only shrinks, except an unclean leader alone: " + story);
            if (after.hasLeader()) {
                check(after.isr().contains(after.leader()), "the leader is in the ISR: " + story);
                check(c.eligible().contains(after.leader()), "the leader is eligible: " + story);
                if (after.leader() != before.leader()) {
                    boolean uncleanChoice = !before.isr().contains(after.leader());
                    for (int r : after.replicas()) {
                        if (r == after.leader()) {
                            break;
                        }
                        boolean couldLead = c.eligible().contains(r) && (uncleanChoice || after.isr().contains(r));
                        check(!couldLead, "replica " + r + " comes first and could lead: " + story);
                    }
                    check(!uncleanChoice || c.unclean(), "an out-of-sync leader only with unclean election: " + story);
                }
            } else {
                for (int r : after.isr()) {
                    check(!c.eligible().contains(r), "offline although ISR replica " + r + " is eligible: " + story);
                }
                if (c.unclean()) {
                    for (int r : after.replicas()) {
                        check(!c.eligible().contains(r), "unclean election left an eligible replica unused: " + story);
                    }
                }
            }
            if (change.isPresent()) {
                check(after.partitionEpoch() == before.partitionEpoch() + 1, "a change bumps the partition epoch");
                check(after.leaderEpoch() == before.leaderEpoch() + (after.leader() != before.leader() ? 1 : 0),
                        "the leader epoch moves with the leader: " + story);
            }
        });
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
