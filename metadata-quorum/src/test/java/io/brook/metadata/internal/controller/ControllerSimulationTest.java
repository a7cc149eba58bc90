package io.brook.metadata.internal.controller;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.PartitionIsrChange;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic simulation of the controller logic: random histories of broker registrations,
 * heartbeats, silences, controlled shutdowns, ISR changes, elections, topic creation, lost
 * writes and failovers, on a manual clock. After every step the committed image must satisfy the
 * invariants of DESIGN.md "Metadata quorum":
 *
 * <ul>
 *   <li>a leader is in the ISR and is an active (unfenced, not shutting down) broker;
 *   <li>no partition is offline while one of its ISR replicas is active;
 *   <li>the ISR is never empty, a subset of the replicas, without duplicates;
 *   <li>leader and partition epochs never go backwards;
 *   <li>a broker's epoch only grows;
 *   <li>with nothing in flight, the speculative image equals the committed one (harness).
 * </ul>
 *
 * A failing history prints its seed and the operation list; QuickTheories shrinks it.
 */
class ControllerSimulationTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 2;
    private static final int BROKERS = 5;

    @Test
    void invariantsHoldAfterEveryStepOfAnyHistory() {
        qt().withExamples(EXAMPLES)
                .forAll(integers().between(0, 1_000_000), lists().of(integers().between(0, 99)).ofSizeBetween(1, 120))
                .checkAssert(ControllerSimulationTest::run);
    }

    private static void run(int seed, List<Integer> ops) {
        Random random = new Random(seed);
        ControllerHarness h = new ControllerHarness(ControllerConfig.defaults(), seed);
        Map<String, int[]> lastEpochs = new HashMap<>();
        Map<Integer, Long> lastBrokerEpochs = new HashMap<>();
        List<String> story = new ArrayList<>();
        long term = 1;
        for (int op : ops) {
            int broker = 1 + random.nextInt(BROKERS);
            String step;
            if (op < 15) {
                step = "register " + broker;
                h.register(broker, "r" + (broker % 2));
            } else if (op < 45) {
                step = "heartbeat " + broker;
                if (h.epochs.containsKey(broker)) {
                    h.heartbeat(broker);
                }
            } else if (op < 55) {
                long ms = random.nextInt((int) h.config.brokerSessionTimeoutMs());
                step = "advance " + ms + " ms and tick";
                h.clock.advance(ms);
                h.tick();
            } else if (op < 60) {
                step = "controlled shutdown " + broker;
                if (h.epochs.containsKey(broker)) {
                    h.heartbeat(broker, true);
                }
            } else if (op < 70) {
                String name = "t" + random.nextInt(4);
                int partitions = 1 + random.nextInt(4);
                int rf = 1 + random.nextInt(3);
                step = "create " + name + " p=" + partitions + " rf=" + rf;
                h.createTopic(name, partitions, rf, random.nextInt(4) == 0
                        ? Map.of(ControllerConfig.UNCLEAN_LEADER_ELECTION_ENABLE.name(), "true") : Map.of());
            } else if (op < 85) {
                step = alterIsr(h, random);
            } else if (op < 90) {
                step = "preferred election";
                h.commit(h.controller.electLeaders(ElectLeadersRequest.newBuilder().build()));
            } else if (op < 95) {
                step = "a write is lost with the leadership, then the same node leads term " + (term + 1);
                h.register(broker, null); // something in flight, maybe
                h.createTopic("lost" + random.nextInt(3), 1, 1, Map.of());
                h.controller.resign(term, -1);
                term++;
                h.log.setTerm(term);
                h.controller.becomeLeader(term);
                h.log.commitAll();
            } else {
                step = "an append is lost without failover";
                var pending = h.controller.createTopics(io.brook.api.internal.controller.CreateTopicsRequest.newBuilder()
                        .addTopics(io.brook.api.internal.controller.CreatableTopic.newBuilder().setName("x"
                                + random.nextInt(3)).setNumPartitions(1).setReplicationFactor(1)).build());
                h.log.failAll(0);
                pending.join();
            }
            story.add(step);
            String failure = checkInvariants(h.image(), lastEpochs, lastBrokerEpochs);
            if (failure != null) {
                throw new AssertionError(failure + "\nafter: " + String.join("; ", story));
            }
        }
    }

    private static String alterIsr(ControllerHarness h, Random random) {
        List<TopicImage> topics = new ArrayList<>(h.image().topics().topicsById().values());
        if (topics.isEmpty()) {
            return "alter ISR: no topic";
        }
        topics.sort((a, b) -> a.name().compareTo(b.name()));
        TopicImage topic = topics.get(random.nextInt(topics.size()));
        int p = random.nextInt(topic.partitionCount());
        PartitionRegistration partition = topic.partition(p);
        if (!partition.hasLeader() || !h.epochs.containsKey(partition.leader())) {
            return "alter ISR of offline " + topic.name() + "-" + p;
        }
        List<Integer> isr = new ArrayList<>();
        isr.add(partition.leader());
        boolean expand = random.nextBoolean();
        for (int r : partition.replicas()) {
            if (r != partition.leader() && (expand ? random.nextBoolean() : partition.isr().contains(r) && random.nextBoolean())) {
                isr.add(r);
            }
        }
        int partitionEpoch = random.nextInt(5) == 0 ? partition.partitionEpoch() - 1 : partition.partitionEpoch();
        var response = h.commit(h.controller.alterPartition(AlterPartitionRequest.newBuilder()
                .setBrokerId(partition.leader()).setBrokerEpoch(h.epochs.get(partition.leader()))
                .addPartitions(PartitionIsrChange.newBuilder().setTopicId(Uuids.toProto(topic.id())).setPartition(p)
                        .setLeaderEpoch(partition.leaderEpoch()).setPartitionEpoch(partitionEpoch).addAllNewIsr(isr)).build()));
        ErrorCode code = response.getPartitionsCount() > 0 ? response.getPartitions(0).getErrorCode()
                : response.getError().getCode();
        if (partitionEpoch != partition.partitionEpoch() && code == ErrorCode.NONE) {
            // Only as a repeat of a change already made: the same ISR, answered with the current
            // epoch, and nothing changed by it.
            PartitionRegistration after = h.image().topics().topic(topic.id()).partition(p);
            boolean repeat = new java.util.HashSet<>(isr).equals(new java.util.HashSet<>(partition.isr()))
                    && after.partitionEpoch() == partition.partitionEpoch()
                    && response.getPartitions(0).getPartitionEpoch() == partition.partitionEpoch();
            if (!repeat) {
                throw new AssertionError("a stale partition epoch was accepted for " + topic.name() + "-" + p);
            }
        }
        return "alter ISR " + topic.name() + "-" + p + " to " + isr + " (epoch " + partitionEpoch + "): " + code;
    }

    private static String checkInvariants(MetadataImage image, Map<String, int[]> lastEpochs,
            Map<Integer, Long> lastBrokerEpochs) {
        for (BrokerRegistration broker : image.cluster().brokers().values()) {
            Long before = lastBrokerEpochs.put(broker.id(), broker.epoch());
            if (before != null && broker.epoch() < before) {
                return "broker " + broker.id() + " epoch went back from " + before + " to " + broker.epoch();
            }
        }
        for (TopicImage topic : image.topics().topicsById().values()) {
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                PartitionRegistration p = e.getValue();
                String where = topic.name() + "-" + e.getKey() + " " + p + " brokers " + image.cluster().brokers().values();
                if (p.isr().isEmpty() || !p.replicas().containsAll(p.isr()) || new HashSet<>(p.isr()).size() != p.isr().size()) {
                    return "bad ISR: " + where;
                }
                if (p.hasLeader() && (!p.isr().contains(p.leader()) || !image.cluster().isActive(p.leader()))) {
                    return "the leader is not an active ISR replica: " + where;
                }
                if (!p.hasLeader()) {
                    for (int r : p.isr()) {
                        if (image.cluster().isActive(r)) {
                            return "offline although ISR replica " + r + " is active: " + where;
                        }
                    }
                }
                int[] before = lastEpochs.put(topic.id() + "-" + e.getKey(), new int[] {p.leaderEpoch(), p.partitionEpoch()});
                if (before != null && (p.leaderEpoch() < before[0] || p.partitionEpoch() < before[1])) {
                    return "epochs went backwards: " + where;
                }
            }
        }
        return null;
    }
}
