package io.brook.broker;

import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.Uuids;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's life with the controllers: it registers (a new incarnation per process start, fenced
 * at first), heartbeats every {@code broker.heartbeat.interval.ms} (a tenth of it while fenced) with
 * the metadata offset it has applied, is unfenced by the controller once that offset reaches its registration, registers
 * again when the controller no longer knows its epoch, and at shutdown asks for a controlled
 * shutdown (its leaderships move away) before it stops.
 *
 * <p>One thread; thread-safe accessors.
 */
public final class BrokerLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerLifecycle.class);

    private final int brokerId;
    private final String clusterId;
    private final UUID incarnation = UUID.randomUUID();
    private final List<Endpoint> endpoints;
    private final String rack;
    private final ControllerClient controllers;
    private final LongSupplier appliedMetadataOffset;
    private final long heartbeatIntervalMs;
    private final ScheduledExecutorService thread;
    private final Clock clock;

    private final Runnable onUnfenced;
    private volatile long epoch = -1;
    private volatile boolean fenced = true;
    private volatile boolean stopping;

    public BrokerLifecycle(int brokerId, String clusterId, List<Endpoint> endpoints, String rack,
            ControllerClient controllers, LongSupplier appliedMetadataOffset, long heartbeatIntervalMs, Clock clock) {
        this(brokerId, clusterId, endpoints, rack, controllers, appliedMetadataOffset, heartbeatIntervalMs, clock, () -> { });
    }

    /** As above; {@code onUnfenced} runs (on the lifecycle thread) each time the controller unfences this broker. */
    public BrokerLifecycle(int brokerId, String clusterId, List<Endpoint> endpoints, String rack,
            ControllerClient controllers, LongSupplier appliedMetadataOffset, long heartbeatIntervalMs, Clock clock,
            Runnable onUnfenced) {
        this.onUnfenced = onUnfenced;
        this.clock = clock;
        this.brokerId = brokerId;
        this.clusterId = clusterId;
        this.endpoints = List.copyOf(endpoints);
        this.rack = rack == null ? "" : rack;
        this.controllers = controllers;
        this.appliedMetadataOffset = appliedMetadataOffset;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-broker-lifecycle-" + brokerId);
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.execute(this::tick);
    }

    /** The broker epoch of the current registration, -1 before the first. */
    public long epoch() {
        return epoch;
    }

    /** Whether the controller last said this broker is fenced (true until it says otherwise). */
    public boolean isFenced() {
        return fenced;
    }

    private void tick() {
        if (stopping) {
            return;
        }
        try {
            if (epoch < 0) {
                register();
            } else {
                heartbeat(false);
            }
        } catch (RuntimeException e) {
            log.warn("Broker {}: talking to the controllers failed: {}", brokerId, e.toString());
        } finally {
            if (!stopping) {
                try {
                    // While fenced (registering, catching up) ask again sooner: unfencing waits for
                    // the heartbeat that reports the caught-up metadata.
                    long delay = fenced ? Math.max(1, heartbeatIntervalMs / 10) : heartbeatIntervalMs;
                    thread.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException ignored) {
                    // closing
                }
            }
        }
    }

    private void register() {
        RegisterBrokerResponse response = controllers.registerBroker(RegisterBrokerRequest.newBuilder()
                .setClusterId(clusterId).setBrokerId(brokerId).setIncarnationId(Uuids.toProto(incarnation))
                .addAllEndpoints(endpoints).setRack(rack).build()).join();
        if (response.getError().getCode() == ErrorCode.NONE) {
            epoch = response.getBrokerEpoch();
            fenced = true;
            log.info("Broker {} registered with epoch {}", brokerId, epoch);
        } else {
            log.warn("Broker {} could not register: {} {}", brokerId, response.getError().getCode(),
                    response.getError().getMessage());
        }
    }

    private BrokerHeartbeatResponse heartbeat(boolean wantShutDown) {
        BrokerHeartbeatResponse response = controllers.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(brokerId).setBrokerEpoch(epoch).setCurrentMetadataOffset(appliedMetadataOffset.getAsLong())
                .setWantShutDown(wantShutDown).build()).join();
        ErrorCode code = response.getError().getCode();
        if (code == ErrorCode.STALE_BROKER_EPOCH || code == ErrorCode.BROKER_ID_NOT_REGISTERED) {
            log.warn("Broker {}: the controller no longer knows epoch {} ({}); registering again", brokerId, epoch, code);
            epoch = -1;
            fenced = true;
        } else if (code == ErrorCode.NONE) {
            if (fenced != response.getIsFenced()) {
                log.info("Broker {} is {}", brokerId, response.getIsFenced() ? "fenced" : "unfenced");
            }
            boolean wasFenced = fenced;
            fenced = response.getIsFenced();
            if (wasFenced && !fenced) {
                onUnfenced.run();
            }
        }
        return response;
    }

    /** Stops heartbeating at once, without a controlled shutdown (a crash, for tests). */
    public void halt() {
        stopping = true;
        thread.shutdownNow();
    }

    /**
     * Controlled shutdown: asks the controller to move this broker's leaderships away and waits
     * until it says the broker may stop (or {@code timeoutMs} passed), then stops heartbeating.
     */
    @Override
    public void close() {
        stopping = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (epoch < 0) {
            return;
        }
        long deadline = clock.monotonicMilliseconds() + TimeUnit.SECONDS.toMillis(30);
        while (clock.monotonicMilliseconds() < deadline) {
            try {
                BrokerHeartbeatResponse response = heartbeat(true);
                if (response.getShouldShutDown() || epoch < 0) {
                    log.info("Broker {}: controlled shutdown complete", brokerId);
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs / 4 + 1));
            } catch (RuntimeException e) {
                log.warn("Broker {}: controlled shutdown request failed: {}", brokerId, e.toString());
                return;
            }
        }
        log.warn("Broker {}: controlled shutdown did not complete in 30 s; stopping anyway", brokerId);
    }
}
