package io.brook.metadata.internal.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ManualClock;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import io.brook.storage.LogConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One controller on an in-memory log, a manual clock and a seeded random: no threads, no sleeps.
 * Requests commit when the harness says so; {@link #commit(CompletableFuture)} commits and
 * returns the answer, and checks the controller's own invariant that, with nothing in flight,
 * its speculative image equals the committed one.
 */
final class ControllerHarness {
    static final String CLUSTER_ID = "cluster-1";

    final ManualClock clock = new ManualClock(1_000_000);
    final InMemoryMetadataLog log = new InMemoryMetadataLog();
    final ControllerConfig config;
    final ControllerLogic controller;
    final Map<Integer, Long> epochs = new HashMap<>();
    final Map<Integer, UUID> incarnations = new HashMap<>();
    private final Random random;

    ControllerHarness() {
        this(ControllerConfig.defaults(), 42);
    }

    ControllerHarness(ControllerConfig config, long seed) {
        this.config = config;
        this.random = new Random(seed);
        this.controller = new ControllerLogic(0, CLUSTER_ID, config, LogConfig.DEFINITIONS, ControllerConfig.DEFINITIONS,
                log, clock, new Random(seed + 1), Runnable::run);
        log.addPublisher(controller::handleCommit);
        controller.becomeLeader(1);
        log.commitAll();
    }

    <T> T commit(CompletableFuture<T> future) {
        log.commitAll();
        assertTrue(future.isDone(), "the answer comes once the records are committed");
        if (controller.isActive() && controller.inFlight() == 0) {
            assertEquals(log.image(), controller.speculativeImage(),
                    "with nothing in flight the speculative image is the committed image");
        }
        return future.join();
    }

    MetadataImage image() {
        return log.image();
    }

    RegisterBrokerResponse register(int id, String rack) {
        UUID incarnation = Uuids.random(random);
        RegisterBrokerResponse response = commit(controller.registerBroker(RegisterBrokerRequest.newBuilder()
                .setClusterId(CLUSTER_ID).setBrokerId(id).setIncarnationId(Uuids.toProto(incarnation))
                .addEndpoints(Endpoint.newBuilder().setName("PLAINTEXT").setHost("127.0.0.1").setPort(9000 + id))
                .setRack(rack == null ? "" : rack).build()));
        if (response.getError().getCode() == ErrorCode.NONE) {
            epochs.put(id, response.getBrokerEpoch());
            incarnations.put(id, incarnation);
        }
        return response;
    }

    BrokerHeartbeatResponse heartbeat(int id) {
        return heartbeat(id, false);
    }

    BrokerHeartbeatResponse heartbeat(int id, boolean wantShutDown) {
        return commit(controller.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder().setBrokerId(id)
                .setBrokerEpoch(epochs.get(id)).setCurrentMetadataOffset(log.lastIndex())
                .setWantShutDown(wantShutDown).build()));
    }

    /** Registers and unfences brokers 1..n (rack r{id % racks} when racks > 0). */
    void startBrokers(int n, int racks) {
        for (int id = 1; id <= n; id++) {
            assertEquals(ErrorCode.NONE, register(id, racks > 0 ? "r" + (id % racks) : null).getError().getCode());
        }
        for (int id = 1; id <= n; id++) {
            assertTrue(!heartbeat(id).getIsFenced(), "broker " + id + " is unfenced once caught up");
        }
    }

    /** Heartbeats every broker except the given ones. */
    void heartbeatAllBut(int... silent) {
        for (int id : epochs.keySet()) {
            boolean skip = false;
            for (int s : silent) {
                skip |= s == id;
            }
            if (!skip) {
                heartbeat(id);
            }
        }
    }

    CreateTopicsResponse createTopic(String name, int partitions, int rf, Map<String, String> configs) {
        return commit(controller.createTopics(CreateTopicsRequest.newBuilder().addTopics(CreatableTopic.newBuilder()
                .setName(name).setNumPartitions(partitions).setReplicationFactor(rf).putAllConfigs(configs)).build()));
    }

    TopicImage topic(String name) {
        return image().topics().topic(name);
    }

    PartitionRegistration partition(String topic, int p) {
        return topic(topic).partition(p);
    }

    void tick() {
        controller.tick();
        log.commitAll();
    }
}
