package io.brook.metadata.internal.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.metadata.AclBinding;
import io.brook.api.internal.controller.AclFilter;
import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.internal.controller.AllocateProducerIdsResponse;
import io.brook.api.internal.controller.AlterConfigOp;
import io.brook.api.internal.controller.AlterConfigsResource;
import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.AlterPartitionResponse;
import io.brook.api.internal.controller.AlterableConfig;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreateAclsRequest;
import io.brook.api.internal.controller.CreatePartitionsRequest;
import io.brook.api.internal.controller.CreatePartitionsTopic;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.DeleteAclsRequest;
import io.brook.api.internal.controller.DeleteAclsResponse;
import io.brook.api.internal.controller.DeleteTopicsRequest;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.ElectLeadersResponse;
import io.brook.api.internal.controller.ElectionType;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.controller.PartitionIsrChange;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.internal.controller.TopicPartitions;
import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.AclPatternType;
import io.brook.api.internal.metadata.AclPermissionType;
import io.brook.api.internal.metadata.AclResourceType;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ControllerLogicTest {
    private final ControllerHarness h = new ControllerHarness();

    // --- registration, heartbeats, fencing --------------------------------------------------

    @Test
    void theFirstActiveControllerFinalizesTheMetadataVersion() {
        assertEquals(ControllerLogic.CURRENT_METADATA_VERSION, h.image().features().level(ControllerLogic.METADATA_VERSION));
    }

    @Test
    void aFailedMetadataVersionWriteIsRetriedOnTheNextTick() {
        ControllerHarness fresh = new ControllerHarness();
        // A second controller whose first write is lost.
        InMemoryMetadataLog log = new InMemoryMetadataLog();
        ControllerLogic controller = new ControllerLogic(0, ControllerHarness.CLUSTER_ID, ControllerConfig.defaults(),
                io.brook.storage.LogConfig.DEFINITIONS, ControllerConfig.DEFINITIONS, log, fresh.clock,
                new java.util.Random(1), Runnable::run);
        log.addPublisher(controller::handleCommit);
        controller.becomeLeader(1);
        log.failAll(-1);
        assertEquals(0, log.image().features().level(ControllerLogic.METADATA_VERSION));
        controller.tick();
        log.commitAll();
        assertEquals(ControllerLogic.CURRENT_METADATA_VERSION, log.image().features().level(ControllerLogic.METADATA_VERSION));
    }

    @Test
    void aRegisteredBrokerStartsFencedWithAStrictlyIncreasingEpoch() {
        RegisterBrokerResponse first = h.register(1, "a");
        RegisterBrokerResponse second = h.register(2, "b");
        assertEquals(ErrorCode.NONE, first.getError().getCode());
        assertTrue(second.getBrokerEpoch() > first.getBrokerEpoch());
        assertTrue(h.image().cluster().broker(1).fenced());
        assertEquals("a", h.image().cluster().broker(1).rack().orElseThrow());
        RegisterBrokerResponse again = h.register(1, "a");
        assertTrue(again.getBrokerEpoch() > second.getBrokerEpoch(), "a restart gets a newer epoch");
    }

    @Test
    void aBrokerFromAnotherClusterIsRefused() {
        RegisterBrokerResponse response = h.commit(h.controller.registerBroker(RegisterBrokerRequest.newBuilder()
                .setClusterId("other").setBrokerId(1).build()));
        assertEquals(ErrorCode.INCONSISTENT_CLUSTER_ID, response.getError().getCode());
        assertTrue(response.getError().getMessage().contains("other"));
        assertNull(h.image().cluster().broker(1));
    }

    @Test
    void aBrokerIsUnfencedOnlyOnceItsMetadataReachesItsRegistration() {
        h.register(1, null);
        long registrationIndex = h.log.lastIndex();
        BrokerHeartbeatResponse behind = h.commit(h.controller.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(1).setBrokerEpoch(h.epochs.get(1)).setCurrentMetadataOffset(registrationIndex - 1).build()));
        assertTrue(behind.getIsFenced());
        assertFalse(behind.getIsCaughtUp());
        assertTrue(h.image().cluster().broker(1).fenced());
        BrokerHeartbeatResponse caughtUp = h.commit(h.controller.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(1).setBrokerEpoch(h.epochs.get(1)).setCurrentMetadataOffset(registrationIndex).build()));
        assertFalse(caughtUp.getIsFenced());
        assertTrue(caughtUp.getIsCaughtUp());
        assertFalse(h.image().cluster().broker(1).fenced());
    }

    @Test
    void aHeartbeatWithAStaleEpochOrUnknownBrokerIsRefused() {
        h.startBrokers(1, 0);
        long old = h.epochs.get(1);
        h.clock.advance(h.config.brokerSessionTimeoutMs()); // the old process's session is over
        assertEquals(ErrorCode.NONE, h.register(1, null).getError().getCode());
        BrokerHeartbeatResponse stale = h.commit(h.controller.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(1).setBrokerEpoch(old).build()));
        assertEquals(ErrorCode.STALE_BROKER_EPOCH, stale.getError().getCode());
        BrokerHeartbeatResponse unknown = h.commit(h.controller.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(7).setBrokerEpoch(1).build()));
        assertEquals(ErrorCode.BROKER_ID_NOT_REGISTERED, unknown.getError().getCode());
    }

    @Test
    void aSilentBrokerIsFencedAtTheSessionTimeoutAndNotBefore() {
        h.startBrokers(3, 0);
        long timeout = h.config.brokerSessionTimeoutMs();
        h.clock.advance(timeout - 1);
        h.heartbeatAllBut(3);
        h.tick();
        assertFalse(h.image().cluster().broker(3).fenced(), "one millisecond before the timeout");
        h.clock.advance(1);
        h.heartbeatAllBut(3);
        h.tick();
        assertTrue(h.image().cluster().broker(3).fenced(), "at the timeout");
        assertFalse(h.image().cluster().broker(1).fenced());
        assertFalse(h.image().cluster().broker(2).fenced());
    }

    @Test
    void fencingRemovesTheBrokerFromEveryIsrAndElectsTheFirstIsrReplicaInAssignmentOrder() {
        h.startBrokers(3, 0);
        h.createTopic("t", 6, 3, Map.of());
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.heartbeatAllBut(2);
        h.tick();
        for (PartitionRegistration p : h.topic("t").partitions().values()) {
            assertFalse(p.isr().contains(2), "fenced broker 2 left the ISR of " + p);
            int expected = p.replicas().stream().filter(r -> r != 2).findFirst().orElseThrow();
            assertEquals(expected, p.leader(), "leader is the first ISR replica in assignment order: " + p);
        }
    }

    @Test
    void withNoEligibleReplicaThePartitionGoesOfflineAndKeepsItsLastIsrMember() {
        h.startBrokers(2, 0);
        h.createTopic("t", 1, 1, Map.of());
        int only = h.partition("t", 0).leader();
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.heartbeatAllBut(only);
        h.tick();
        PartitionRegistration p = h.partition("t", 0);
        assertEquals(PartitionRegistration.NO_LEADER, p.leader());
        assertEquals(List.of(only), p.isr(), "the ISR is never emptied");
        // It comes back: registered again, caught up, unfenced, and leads again.
        h.register(only, null);
        h.heartbeat(only);
        assertEquals(only, h.partition("t", 0).leader());
    }

    @Test
    void uncleanElectionEnabledForTheTopicElectsAnOutOfSyncReplica() {
        h.startBrokers(2, 0);
        h.createTopic("t", 1, 2, Map.of(ControllerConfig.UNCLEAN_LEADER_ELECTION_ENABLE.name(), "true"));
        h.createTopic("safe", 1, 2, Map.of());
        PartitionRegistration t = h.partition("t", 0);
        int leader = t.leader();
        int follower = t.replicas().stream().filter(r -> r != leader).findFirst().orElseThrow();
        // The follower drops out of both ISRs, then the leader dies.
        for (String topic : List.of("t", "safe")) {
            PartitionRegistration p = h.partition(topic, 0);
            int l = p.leader();
            AlterPartitionResponse shrink = h.commit(h.controller.alterPartition(AlterPartitionRequest.newBuilder()
                    .setBrokerId(l).setBrokerEpoch(h.epochs.get(l)).addPartitions(PartitionIsrChange.newBuilder()
                            .setTopicId(Uuids.toProto(h.topic(topic).id())).setPartition(0)
                            .setLeaderEpoch(p.leaderEpoch()).setPartitionEpoch(p.partitionEpoch()).addNewIsr(l)).build()));
            assertEquals(ErrorCode.NONE, shrink.getPartitions(0).getErrorCode());
        }
        int safeLeader = h.partition("safe", 0).leader();
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.heartbeatAllBut(leader);
        if (safeLeader != leader) {
            h.clock.advance(0);
        }
        h.tick();
        PartitionRegistration unclean = h.partition("t", 0);
        assertEquals(follower, unclean.leader(), "unclean election picked the live out-of-sync replica");
        assertEquals(List.of(follower), unclean.isr());
        if (safeLeader == leader) {
            assertEquals(PartitionRegistration.NO_LEADER, h.partition("safe", 0).leader(),
                    "without unclean election the partition stays offline");
        }
    }

    @Test
    void explicitUncleanElectionBringsAnOfflinePartitionBack() {
        h.startBrokers(2, 0);
        h.createTopic("t", 1, 2, Map.of());
        PartitionRegistration p = h.partition("t", 0);
        int leader = p.leader();
        int follower = p.replicas().stream().filter(r -> r != leader).findFirst().orElseThrow();
        h.commit(h.controller.alterPartition(AlterPartitionRequest.newBuilder().setBrokerId(leader)
                .setBrokerEpoch(h.epochs.get(leader)).addPartitions(PartitionIsrChange.newBuilder()
                        .setTopicId(Uuids.toProto(h.topic("t").id())).setPartition(0).setLeaderEpoch(p.leaderEpoch())
                        .setPartitionEpoch(p.partitionEpoch()).addNewIsr(leader)).build()));
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.heartbeatAllBut(leader);
        h.tick();
        assertEquals(PartitionRegistration.NO_LEADER, h.partition("t", 0).leader());
        ElectLeadersResponse response = h.commit(h.controller.electLeaders(ElectLeadersRequest.newBuilder()
                .setElectionType(ElectionType.ELECTION_UNCLEAN).addTopicPartitions(TopicPartitions.newBuilder()
                        .setTopic("t").addPartitions(0)).build()));
        assertEquals(ErrorCode.NONE, response.getPartitions(0).getErrorCode());
        assertEquals(follower, h.partition("t", 0).leader());
    }

    @Test
    void afterAFailoverEveryBrokerGetsAFreshSession() {
        h.startBrokers(2, 0);
        h.clock.advance(h.config.brokerSessionTimeoutMs() - 1);
        h.controller.resign(1, 5);
        h.log.setTerm(2);
        h.controller.becomeLeader(2);
        h.log.commitAll();
        h.clock.advance(1);
        h.tick();
        assertFalse(h.image().cluster().broker(1).fenced(), "the new term started a new session");
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.tick();
        assertTrue(h.image().cluster().broker(1).fenced());
    }

    @Test
    void aSecondLiveProcessCannotTakeARegisteredBrokerIdUntilItsSessionExpires() {
        h.startBrokers(1, 0);
        RegisterBrokerResponse duplicate = h.register(1, null);
        assertEquals(ErrorCode.DUPLICATE_BROKER_REGISTRATION, duplicate.getError().getCode());
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        assertEquals(ErrorCode.NONE, h.register(1, null).getError().getCode());
    }

    @Test
    void controlledShutdownMovesLeadershipAwayThenAllowsTheBrokerToStop() {
        h.startBrokers(3, 0);
        h.createTopic("t", 6, 3, Map.of());
        BrokerHeartbeatResponse first = h.heartbeat(1, true);
        assertTrue(first.getShouldShutDown(), "after the records commit broker 1 leads nothing");
        assertTrue(h.image().cluster().broker(1).inControlledShutdown());
        for (PartitionRegistration p : h.topic("t").partitions().values()) {
            assertTrue(p.leader() != 1 && p.hasLeader(), "leadership moved away: " + p);
            assertFalse(p.isr().contains(1));
        }
        assertEquals(ErrorCode.NONE, h.register(1, null).getError().getCode(),
                "the broker's next process registers at once, without waiting for the session to expire");
    }

    // --- topics -----------------------------------------------------------------------------

    @Test
    void createTopicsValidatesEachTopicOnItsOwn() {
        h.startBrokers(2, 0);
        CreateTopicsResponse response = h.commit(h.controller.createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(CreatableTopic.newBuilder().setName("good").setNumPartitions(2).setReplicationFactor(2))
                .addTopics(CreatableTopic.newBuilder().setName("bad name").setNumPartitions(1).setReplicationFactor(1))
                .addTopics(CreatableTopic.newBuilder().setName("x".repeat(250)).setNumPartitions(1).setReplicationFactor(1))
                .addTopics(CreatableTopic.newBuilder().setName("..").setNumPartitions(1).setReplicationFactor(1))
                .addTopics(CreatableTopic.newBuilder().setName("zero").setNumPartitions(0).setReplicationFactor(1))
                .addTopics(CreatableTopic.newBuilder().setName("wide").setNumPartitions(1).setReplicationFactor(3))
                .addTopics(CreatableTopic.newBuilder().setName("cfg").setNumPartitions(1).setReplicationFactor(1)
                        .putConfigs("retention.ms", "soon"))
                .addTopics(CreatableTopic.newBuilder().setName("typo").setNumPartitions(1).setReplicationFactor(1)
                        .putConfigs("retention.mss", "1"))
                .addTopics(CreatableTopic.newBuilder().setName("twice").setNumPartitions(1).setReplicationFactor(1))
                .addTopics(CreatableTopic.newBuilder().setName("twice").setNumPartitions(1).setReplicationFactor(1))
                .build()));
        List<ErrorCode> codes = response.getTopicsList().stream().map(r -> r.getErrorCode()).toList();
        assertEquals(List.of(ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_TOPIC_EXCEPTION,
                ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_REPLICATION_FACTOR,
                ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST),
                codes);
        assertTrue(response.getTopics(5).getErrorMessage().contains("3 is larger than the 2 available brokers"),
                response.getTopics(5).getErrorMessage());
        assertTrue(response.getTopics(6).getErrorMessage().contains("retention.ms"));
        assertEquals(1, h.image().topics().topicsByName().size(), "only the valid topic was created");
        TopicImage good = h.topic("good");
        assertEquals(2, good.partitionCount());
        assertEquals(Uuids.fromProto(response.getTopics(0).getTopicId()), good.id());
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, h.createTopic("good", 1, 1, Map.of()).getTopics(0).getErrorCode());
    }

    @Test
    void aNewTopicHasDistinctReplicasAllInSyncLedByTheFirstAndItsConfigs() {
        h.startBrokers(4, 2);
        h.createTopic("t", 8, 3, Map.of("retention.ms", "1000"));
        for (PartitionRegistration p : h.topic("t").partitions().values()) {
            assertEquals(3, new HashSet<>(p.replicas()).size());
            assertEquals(p.replicas(), p.isr());
            assertEquals(p.replicas().get(0), p.leader());
            assertEquals(0, p.leaderEpoch());
        }
        assertEquals(Map.of("retention.ms", "1000"), h.image().configs().configs(ConfigResource.topic("t")));
    }

    @Test
    void validateOnlyWritesNothing() {
        h.startBrokers(1, 0);
        long before = h.log.lastIndex();
        CreateTopicsResponse response = h.commit(h.controller.createTopics(CreateTopicsRequest.newBuilder()
                .setValidateOnly(true).addTopics(CreatableTopic.newBuilder().setName("t").setNumPartitions(1)
                        .setReplicationFactor(1)).build()));
        assertEquals(ErrorCode.NONE, response.getTopics(0).getErrorCode());
        assertEquals(before, h.log.lastIndex());
        assertNull(h.topic("t"));
    }

    @Test
    void deletingATopicRemovesItsPartitionsAndConfigs() {
        h.startBrokers(1, 0);
        h.createTopic("t", 2, 1, Map.of("retention.ms", "5"));
        var response = h.commit(h.controller.deleteTopics(DeleteTopicsRequest.newBuilder().addNames("t").addNames("nope").build()));
        assertEquals(ErrorCode.NONE, response.getTopics(0).getErrorCode());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, response.getTopics(1).getErrorCode());
        assertNull(h.topic("t"));
        assertTrue(h.image().configs().configs(ConfigResource.topic("t")).isEmpty());
    }

    @Test
    void partitionsCanOnlyGrow() {
        h.startBrokers(2, 0);
        h.createTopic("t", 2, 2, Map.of());
        var shrink = h.commit(h.controller.createPartitions(CreatePartitionsRequest.newBuilder()
                .addTopics(CreatePartitionsTopic.newBuilder().setName("t").setCount(2)).build()));
        assertEquals(ErrorCode.INVALID_PARTITIONS, shrink.getTopics(0).getErrorCode());
        var grow = h.commit(h.controller.createPartitions(CreatePartitionsRequest.newBuilder()
                .addTopics(CreatePartitionsTopic.newBuilder().setName("t").setCount(5)).build()));
        assertEquals(ErrorCode.NONE, grow.getTopics(0).getErrorCode());
        assertEquals(5, h.topic("t").partitionCount());
        assertEquals(2, h.partition("t", 4).replicas().size(), "new partitions keep the replication factor");
    }

    // --- AlterPartition ---------------------------------------------------------------------

    private AlterPartitionResponse alterIsr(String topic, int partition, int sender, int leaderEpoch, int partitionEpoch,
            List<Integer> isr) {
        return h.commit(h.controller.alterPartition(AlterPartitionRequest.newBuilder().setBrokerId(sender)
                .setBrokerEpoch(h.epochs.get(sender)).addPartitions(PartitionIsrChange.newBuilder()
                        .setTopicId(Uuids.toProto(h.topic(topic).id())).setPartition(partition)
                        .setLeaderEpoch(leaderEpoch).setPartitionEpoch(partitionEpoch).addAllNewIsr(isr)).build()));
    }

    @Test
    void alterPartitionCommitsAnIsrChangeAndBumpsThePartitionEpoch() {
        h.startBrokers(3, 0);
        h.createTopic("t", 1, 3, Map.of());
        PartitionRegistration p = h.partition("t", 0);
        List<Integer> shrunk = List.of(p.leader(), p.replicas().get(1));
        var response = alterIsr("t", 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(), shrunk);
        assertEquals(ErrorCode.NONE, response.getPartitions(0).getErrorCode());
        assertEquals(p.partitionEpoch() + 1, response.getPartitions(0).getPartitionEpoch());
        assertEquals(shrunk, h.partition("t", 0).isr());
        assertEquals(p.leaderEpoch(), h.partition("t", 0).leaderEpoch(), "an ISR change keeps the leader epoch");
    }

    @Test
    void alterPartitionWithAStalePartitionEpochIsRejected() {
        h.startBrokers(3, 0);
        h.createTopic("t", 1, 3, Map.of());
        PartitionRegistration p = h.partition("t", 0);
        alterIsr("t", 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(), List.of(p.leader()));
        var stale = alterIsr("t", 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(), p.replicas());
        assertEquals(ErrorCode.INVALID_UPDATE_VERSION, stale.getPartitions(0).getErrorCode());
        assertEquals(List.of(p.leader()), h.partition("t", 0).isr(), "nothing changed");
        assertEquals(p.partitionEpoch() + 1, stale.getPartitions(0).getPartitionEpoch(), "the answer carries the current epoch");
    }

    @Test
    void aRepeatedIsrChangeIsAnsweredAsMadeOnceItIsCommitted() {
        // The first answer was lost (or the leader gave up on a slow commit) and it sends the same
        // change again, with the partition epoch it started from.
        h.startBrokers(3, 0);
        h.createTopic("t", 1, 3, Map.of());
        PartitionRegistration p = h.partition("t", 0);
        List<Integer> shrunk = List.of(p.leader(), p.replicas().get(1));
        AlterPartitionRequest change = AlterPartitionRequest.newBuilder().setBrokerId(p.leader())
                .setBrokerEpoch(h.epochs.get(p.leader())).addPartitions(PartitionIsrChange.newBuilder()
                        .setTopicId(Uuids.toProto(h.topic("t").id())).setPartition(0).setLeaderEpoch(p.leaderEpoch())
                        .setPartitionEpoch(p.partitionEpoch()).addAllNewIsr(shrunk)).build();
        CompletableFuture<AlterPartitionResponse> first = h.controller.alterPartition(change);
        CompletableFuture<AlterPartitionResponse> repeat = h.controller.alterPartition(change);
        assertFalse(repeat.isDone(), "the repeat is answered only once the change it repeats is committed");
        h.log.commitAll();
        for (AlterPartitionResponse response : List.of(first.join(), repeat.join())) {
            assertEquals(ErrorCode.NONE, response.getPartitions(0).getErrorCode(), response.toString());
            assertEquals(p.partitionEpoch() + 1, response.getPartitions(0).getPartitionEpoch());
            assertEquals(shrunk, response.getPartitions(0).getIsrList());
        }
        assertEquals(p.partitionEpoch() + 1, h.partition("t", 0).partitionEpoch(), "one change, not two");
        var again = alterIsr("t", 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(), shrunk);
        assertEquals(ErrorCode.NONE, again.getPartitions(0).getErrorCode(), "also long after");
        assertEquals(p.partitionEpoch() + 1, h.partition("t", 0).partitionEpoch());
    }

    @Test
    void alterPartitionFromAZombieLeaderOrWithABadIsrIsRejected() {
        h.startBrokers(3, 0);
        h.createTopic("t", 1, 3, Map.of());
        PartitionRegistration p = h.partition("t", 0);
        int follower = p.replicas().get(1);
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER,
                alterIsr("t", 0, follower, p.leaderEpoch(), p.partitionEpoch(), List.of(follower)).getPartitions(0).getErrorCode());
        assertEquals(ErrorCode.FENCED_LEADER_EPOCH,
                alterIsr("t", 0, p.leader(), p.leaderEpoch() - 1, p.partitionEpoch(), List.of(p.leader())).getPartitions(0).getErrorCode());
        assertEquals(ErrorCode.INVALID_REQUEST,
                alterIsr("t", 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(), List.of(follower)).getPartitions(0).getErrorCode(),
                "the ISR must contain the leader");
        // Shrink to the leader, fence a follower, then try to add it back: ineligible.
        alterIsr("t", 0, p.leader(), p.leaderEpoch(), p.partitionEpoch(), List.of(p.leader()));
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.heartbeatAllBut(follower);
        h.tick();
        PartitionRegistration now = h.partition("t", 0);
        assertEquals(ErrorCode.INELIGIBLE_REPLICA, alterIsr("t", 0, now.leader(), now.leaderEpoch(), now.partitionEpoch(),
                List.of(now.leader(), follower)).getPartitions(0).getErrorCode());
    }

    // --- elections ----------------------------------------------------------------------------

    @Test
    void preferredElectionMovesLeadershipBackToTheFirstReplica() {
        h.startBrokers(3, 0);
        h.createTopic("t", 1, 3, Map.of());
        int preferred = h.partition("t", 0).preferredLeader();
        h.clock.advance(h.config.brokerSessionTimeoutMs());
        h.heartbeatAllBut(preferred);
        h.tick();
        assertTrue(h.partition("t", 0).leader() != preferred);
        ElectLeadersResponse notAvailable = h.commit(h.controller.electLeaders(ElectLeadersRequest.newBuilder().build()));
        assertEquals(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, notAvailable.getPartitions(0).getErrorCode());
        h.register(preferred, null);
        h.heartbeat(preferred);
        PartitionRegistration p = h.partition("t", 0);
        int leader = p.leader();
        List<Integer> isr = new java.util.ArrayList<>(p.isr());
        isr.add(preferred);
        isr.sort(null);
        alterIsr("t", 0, leader, p.leaderEpoch(), p.partitionEpoch(), isr);
        ElectLeadersResponse elected = h.commit(h.controller.electLeaders(ElectLeadersRequest.newBuilder().build()));
        assertEquals(ErrorCode.NONE, elected.getPartitions(0).getErrorCode());
        assertEquals(preferred, h.partition("t", 0).leader());
        assertEquals(p.leaderEpoch() + 1, h.partition("t", 0).leaderEpoch());
        ElectLeadersResponse again = h.commit(h.controller.electLeaders(ElectLeadersRequest.newBuilder().build()));
        assertEquals(ErrorCode.ELECTION_NOT_NEEDED, again.getPartitions(0).getErrorCode());
    }

    // --- configs ------------------------------------------------------------------------------

    private IncrementalAlterConfigsResponse alterConfig(ConfigResourceType type, String name, AlterableConfig... entries) {
        return h.commit(h.controller.incrementalAlterConfigs(IncrementalAlterConfigsRequest.newBuilder()
                .addResources(AlterConfigsResource.newBuilder().setResourceType(type).setResourceName(name)
                        .addAllConfigs(List.of(entries))).build()));
    }

    private static AlterableConfig set(String key, String value) {
        return AlterableConfig.newBuilder().setName(key).setOp(AlterConfigOp.ALTER_CONFIG_SET).setValue(value).build();
    }

    @Test
    void configChangesAreValidatedAgainstTheDefinitions() {
        h.startBrokers(1, 0);
        h.createTopic("t", 1, 1, Map.of());
        assertEquals(ErrorCode.NONE, alterConfig(ConfigResourceType.CONFIG_RESOURCE_TOPIC, "t",
                set("retention.ms", "60000")).getResources(0).getErrorCode());
        assertEquals("60000", h.image().configs().configs(ConfigResource.topic("t")).get("retention.ms"));
        var invalid = alterConfig(ConfigResourceType.CONFIG_RESOURCE_TOPIC, "t", set("retention.ms", "-7"));
        assertEquals(ErrorCode.INVALID_CONFIG, invalid.getResources(0).getErrorCode());
        assertTrue(invalid.getResources(0).getErrorMessage().contains("retention.ms"), invalid.getResources(0).getErrorMessage());
        assertEquals(ErrorCode.INVALID_CONFIG, alterConfig(ConfigResourceType.CONFIG_RESOURCE_TOPIC, "t",
                set("no.such.key", "1")).getResources(0).getErrorCode());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, alterConfig(ConfigResourceType.CONFIG_RESOURCE_TOPIC, "nope",
                set("retention.ms", "1")).getResources(0).getErrorCode());
        assertEquals(ErrorCode.NONE, alterConfig(ConfigResourceType.CONFIG_RESOURCE_TOPIC, "t",
                AlterableConfig.newBuilder().setName("retention.ms").setOp(AlterConfigOp.ALTER_CONFIG_DELETE).build())
                .getResources(0).getErrorCode());
        assertTrue(h.image().configs().configs(ConfigResource.topic("t")).isEmpty());
        assertEquals(ErrorCode.NONE, alterConfig(ConfigResourceType.CONFIG_RESOURCE_BROKER, "1",
                set("num.partitions", "3")).getResources(0).getErrorCode());
        assertEquals(ErrorCode.INVALID_REQUEST, alterConfig(ConfigResourceType.CONFIG_RESOURCE_BROKER, "one",
                set("num.partitions", "3")).getResources(0).getErrorCode());
        assertEquals(ErrorCode.NONE, alterConfig(ConfigResourceType.CONFIG_RESOURCE_CLUSTER, "",
                set("num.partitions", "4")).getResources(0).getErrorCode());
        assertEquals("4", h.image().configs().configs(ConfigResource.cluster()).get("num.partitions"));
    }

    // --- ACLs and producer ids -----------------------------------------------------------------

    private static AclBinding acl(String principal, AclOperation operation) {
        return AclBinding.newBuilder().setResourceType(AclResourceType.ACL_RESOURCE_TOPIC).setResourceName("t")
                .setPatternType(AclPatternType.ACL_PATTERN_LITERAL).setPrincipal(principal).setHost("*")
                .setOperation(operation).setPermissionType(AclPermissionType.ACL_PERMISSION_ALLOW).build();
    }

    @Test
    void aclsAreCreatedOnceAndDeletedByFilter() {
        var created = h.commit(h.controller.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(acl("User:alice", AclOperation.ACL_OPERATION_READ))
                .addCreations(acl("User:alice", AclOperation.ACL_OPERATION_READ))
                .addCreations(acl("User:bob", AclOperation.ACL_OPERATION_WRITE))
                .addCreations(acl("bob", AclOperation.ACL_OPERATION_WRITE)).build()));
        assertEquals(List.of(ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_REQUEST),
                created.getResultsList().stream().map(r -> r.getErrorCode()).toList());
        assertEquals(2, h.image().acls().acls().size(), "an identical binding is stored once");
        DeleteAclsResponse deleted = h.commit(h.controller.deleteAcls(DeleteAclsRequest.newBuilder()
                .addFilters(AclFilter.newBuilder().setPrincipal("User:alice")).build()));
        assertEquals(1, deleted.getResults(0).getDeletedCount());
        assertEquals("User:bob", h.image().acls().acls().values().iterator().next().binding().getPrincipal());
    }

    @Test
    void producerIdsAreHandedOutInBlocksOfAThousand() {
        h.startBrokers(1, 0);
        AllocateProducerIdsRequest request = AllocateProducerIdsRequest.newBuilder().setBrokerId(1)
                .setBrokerEpoch(h.epochs.get(1)).build();
        AllocateProducerIdsResponse first = h.commit(h.controller.allocateProducerIds(request));
        AllocateProducerIdsResponse second = h.commit(h.controller.allocateProducerIds(request));
        assertEquals(0, first.getProducerIdStart());
        assertEquals(1000, first.getProducerIdLen());
        assertEquals(1000, second.getProducerIdStart());
        assertEquals(2000, h.image().producerIds().nextProducerId());
        AllocateProducerIdsResponse stale = h.commit(h.controller.allocateProducerIds(
                request.toBuilder().setBrokerEpoch(h.epochs.get(1) - 1).build()));
        assertEquals(ErrorCode.STALE_BROKER_EPOCH, stale.getError().getCode());
    }

    // --- the active controller's contract ---------------------------------------------------------

    @Test
    void answersComeOnlyAfterTheRecordsCommit() {
        h.startBrokers(1, 0);
        CompletableFuture<CreateTopicsResponse> future = h.controller.createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(CreatableTopic.newBuilder().setName("t").setNumPartitions(1).setReplicationFactor(1)).build());
        assertFalse(future.isDone());
        // A second request already sees the in-flight topic.
        CompletableFuture<CreateTopicsResponse> duplicate = h.controller.createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(CreatableTopic.newBuilder().setName("t").setNumPartitions(1).setReplicationFactor(1)).build());
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, h.commit(duplicate).getTopics(0).getErrorCode());
        assertEquals(ErrorCode.NONE, future.join().getTopics(0).getErrorCode());
        assertNotNull(h.topic("t"));
    }

    @Test
    void aStandbyControllerAnswersNotControllerWithTheLeaderHint() {
        h.controller.resign(1, 3);
        CreateTopicsResponse response = h.commit(h.controller.createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(CreatableTopic.newBuilder().setName("t")).build()));
        assertEquals(ErrorCode.NOT_CONTROLLER, response.getError().getCode());
        assertEquals(3, response.getError().getLeaderHint());
    }

    @Test
    void aWriteLostWithLeadershipIsAnsweredTimedOutAndForgotten() {
        // Not NOT_CONTROLLER: a client would send it to the new controller, which may have it already.
        h.startBrokers(1, 0);
        CompletableFuture<CreateTopicsResponse> lost = h.controller.createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(CreatableTopic.newBuilder().setName("t").setNumPartitions(1).setReplicationFactor(1)).build());
        h.log.failAll(2);
        CreateTopicsResponse response = lost.join();
        assertEquals(ErrorCode.REQUEST_TIMED_OUT, response.getError().getCode());
        assertTrue(response.getError().getMessage().contains("may or may not have taken effect"),
                response.getError().getMessage());
        assertEquals(2, response.getError().getLeaderHint());
        // Still the Raft leader here: the next request starts again from the committed image.
        CreateTopicsResponse retry = h.createTopic("t", 1, 1, Map.of());
        assertEquals(ErrorCode.NONE, retry.getTopics(0).getErrorCode());
    }

    @Test
    void anIdleLogGetsANoOpRecord() {
        long before = h.log.lastIndex();
        h.clock.advance(h.config.metadataMaxIdleIntervalMs() - 1);
        h.tick();
        assertEquals(before, h.log.lastIndex());
        h.clock.advance(1);
        h.tick();
        assertEquals(before + 1, h.log.lastIndex());
        assertTrue(h.log.committedBatches().get(h.log.committedBatches().size() - 1).get(0).hasNoOp());
    }
}
