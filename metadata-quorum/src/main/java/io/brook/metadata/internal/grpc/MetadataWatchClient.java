package io.brook.metadata.internal.grpc;

import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.WatchMetadataRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC side of a metadata follower: opens WatchMetadata streams to controllers by address
 * ({@code host:port}) and hands what arrives to a {@link Listener}. One channel per address,
 * reused across streams. Every callback runs on the executor given at construction, so a
 * single-thread executor gives the caller strictly ordered callbacks.
 */
public final class MetadataWatchClient implements AutoCloseable {
    /** Keepalive ping period; the controller's server permits it (ControllerRpcServer). */
    public static final long KEEPALIVE_SECONDS = 10;

    /** Large enough for any batch a controller commits; snapshot chunks are 1 MiB at most. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;

    /** Receives one stream's updates, then exactly one end. */
    public interface Listener {
        void onUpdate(MetadataUpdate update);

        /** The stream ended: {@code error} is null when the controller completed it. */
        void onEnd(Throwable error);
    }

    /** An open stream. */
    public interface Watch {
        void cancel();
    }

    private final Executor callbackExecutor;
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private boolean closed;

    public MetadataWatchClient(Executor callbackExecutor) {
        this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
    }

    /** Opens a stream to {@code address} for the committed metadata after {@code afterIndex}. */
    public Watch watch(String address, long afterIndex, Listener listener) {
        ManagedChannel channel = channel(address);
        ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
        ControllerServiceGrpc.newStub(channel).watchMetadata(
                WatchMetadataRequest.newBuilder().setAfterIndex(afterIndex).build(),
                new ClientResponseObserver<WatchMetadataRequest, MetadataUpdate>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchMetadataRequest> requestStream) {
                        call[0] = requestStream;
                    }

                    @Override
                    public void onNext(MetadataUpdate update) {
                        listener.onUpdate(update);
                    }

                    @Override
                    public void onError(Throwable t) {
                        listener.onEnd(t);
                    }

                    @Override
                    public void onCompleted() {
                        listener.onEnd(null);
                    }
                });
        return () -> call[0].cancel("watch cancelled", null);
    }

    private synchronized ManagedChannel channel(String address) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        return channels.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            if (colon <= 0 || colon == a.length() - 1) {
                throw new IllegalArgumentException("not host:port: " + a);
            }
            String host = a.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(a.substring(colon + 1));
            return NettyChannelBuilder.forAddress(host, port)
                    .usePlaintext()
                    .executor(callbackExecutor)
                    .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                    // A controller that vanished without closing the connection (power loss,
                    // partition) is noticed within about 15 s, and the follower moves on.
                    .keepAliveTime(KEEPALIVE_SECONDS, java.util.concurrent.TimeUnit.SECONDS)
                    .keepAliveTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                    .keepAliveWithoutCalls(true)
                    .build();
        });
    }

    /** Closes every channel (open streams end with CANCELLED/UNAVAILABLE). */
    @Override
    public void close() {
        Map<String, ManagedChannel> toClose;
        synchronized (this) {
            closed = true;
            toClose = new HashMap<>(channels);
            channels.clear();
        }
        for (ManagedChannel channel : toClose.values()) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : toClose.values()) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
