package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.internal.controller.AllocateProducerIdsResponse;
import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.AlterPartitionResponse;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreateAclsRequest;
import io.brook.api.internal.controller.CreateAclsResponse;
import io.brook.api.internal.controller.CreatePartitionsRequest;
import io.brook.api.internal.controller.CreatePartitionsResponse;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.DeleteAclsRequest;
import io.brook.api.internal.controller.DeleteAclsResponse;
import io.brook.api.internal.controller.DeleteTopicsRequest;
import io.brook.api.internal.controller.DeleteTopicsResponse;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.ElectLeadersResponse;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.internal.LeadershipListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's event loop: one thread that owns a {@link ControllerLogic} and runs every
 * request, commit notification, leadership change and periodic tick on it, in arrival order.
 * Thread-safe; every method may be called from any thread.
 *
 * <p>Ordering: the quorum calls {@link #onMetadataUpdate} on its apply thread before it completes
 * the append futures of that batch, and announces leadership only after the entries before the
 * term were applied, so the loop always sees a commit before what depends on it.
 */
public final class QuorumController implements MetadataPublisher, LeadershipListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuorumController.class);
    /** How often the loop checks session expiry and idle no-ops. */
    static final long TICK_INTERVAL_MS = 50;

    private final ControllerLogic logic;
    private final ScheduledExecutorService loop;
    private volatile MetadataImage latest = MetadataImage.EMPTY;

    /**
     * @param logicFactory builds the logic given the loop's executor (append completions hop back
     *                     onto the loop through it)
     */
    public QuorumController(int nodeId, Function<java.util.concurrent.Executor, ControllerLogic> logicFactory) {
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-controller-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.logic = logicFactory.apply(this::runOnLoop);
        loop.scheduleWithFixedDelay(() -> safely("tick", logic::tick), TICK_INTERVAL_MS, TICK_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    private void runOnLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("Controller loop closed; dropping a task");
        }
    }

    private static void safely(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("Controller {} failed", what, e);
        }
    }

    @Override
    public void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage) {
        latest = newImage;
        runOnLoop(() -> logic.handleCommit(delta, newImage));
    }

    @Override
    public void becomeLeader(long term) {
        runOnLoop(() -> logic.becomeLeader(term));
    }

    @Override
    public void resign(long term, int newLeaderId) {
        runOnLoop(() -> logic.resign(term, newLeaderId));
    }

    /** The latest committed image this controller has applied. */
    public MetadataImage image() {
        return latest;
    }

    /** Whether this controller is the active one (as of the loop's last event). */
    public CompletableFuture<Boolean> isActive() {
        return call(l -> CompletableFuture.completedFuture(l.isActive()));
    }

    private <T> CompletableFuture<T> call(Function<ControllerLogic, CompletableFuture<T>> request) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    request.apply(logic).whenComplete((value, error) -> {
                        if (error != null) {
                            out.completeExceptionally(error);
                        } else {
                            out.complete(value);
                        }
                    });
                } catch (RuntimeException e) {
                    log.error("Controller request failed", e);
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("the controller is shut down"));
        }
        return out;
    }

    public CompletableFuture<RegisterBrokerResponse> registerBroker(RegisterBrokerRequest r) {
        return call(l -> l.registerBroker(r));
    }

    public CompletableFuture<BrokerHeartbeatResponse> brokerHeartbeat(BrokerHeartbeatRequest r) {
        return call(l -> l.brokerHeartbeat(r));
    }

    public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest r) {
        return call(l -> l.createTopics(r));
    }

    public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest r) {
        return call(l -> l.deleteTopics(r));
    }

    public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest r) {
        return call(l -> l.createPartitions(r));
    }

    public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest r) {
        return call(l -> l.alterPartition(r));
    }

    public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest r) {
        return call(l -> l.electLeaders(r));
    }

    public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(IncrementalAlterConfigsRequest r) {
        return call(l -> l.incrementalAlterConfigs(r));
    }

    public CompletableFuture<CreateAclsResponse> createAcls(CreateAclsRequest r) {
        return call(l -> l.createAcls(r));
    }

    public CompletableFuture<DeleteAclsResponse> deleteAcls(DeleteAclsRequest r) {
        return call(l -> l.deleteAcls(r));
    }

    public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(AllocateProducerIdsRequest r) {
        return call(l -> l.allocateProducerIds(r));
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
