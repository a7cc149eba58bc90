package io.brook.broker.internal;

import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.ControllerClient;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Hands out producer ids for idempotent producers from blocks the controller allocates (so ids
 * are unique across brokers and restarts: the block is a committed metadata record). A new block
 * is fetched when the current one is used up.
 */
public final class ProducerIds {
    private final int brokerId;
    private final LongSupplier brokerEpoch;
    private final ControllerClient controller;
    private long next;
    private long end;
    private CompletableFuture<Void> fetching;

    public ProducerIds(int brokerId, LongSupplier brokerEpoch, ControllerClient controller) {
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
        this.controller = controller;
    }

    /** The next unused producer id. */
    public CompletableFuture<Long> next() {
        CompletableFuture<Void> pending;
        synchronized (this) {
            if (next < end) {
                return CompletableFuture.completedFuture(next++);
            }
            if (fetching == null) {
                CompletableFuture<Void> fetch = controller.allocateProducerIds(AllocateProducerIdsRequest.newBuilder()
                        .setBrokerId(brokerId).setBrokerEpoch(brokerEpoch.getAsLong()).build()).thenAccept(response -> {
                            if (response.getError().getCode() != ErrorCode.NONE) {
                                throw new IllegalStateException(response.getError().getCode() + ": "
                                        + response.getError().getMessage());
                            }
                            synchronized (this) {
                                next = response.getProducerIdStart();
                                end = next + response.getProducerIdLen();
                            }
                        });
                fetching = fetch;
                pending = fetch;
                fetch.whenComplete((ok, error) -> {
                    synchronized (this) {
                        if (fetching == fetch) {
                            fetching = null;
                        }
                    }
                });
            } else {
                pending = fetching;
            }
        }
        return pending.thenCompose(ignored -> next());
    }
}
