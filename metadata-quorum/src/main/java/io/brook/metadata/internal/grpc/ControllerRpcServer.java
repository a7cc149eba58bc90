package io.brook.metadata.internal.grpc;

import io.brook.metadata.internal.MetadataFeed;
import io.brook.metadata.internal.QuorumAdmin;
import io.brook.metadata.internal.controller.QuorumController;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The controller's gRPC listener: the controller service on one address. */
public final class ControllerRpcServer implements AutoCloseable {
    private final Server server;
    private final ExecutorService watchExecutor;
    private final MetadataWatchHandler watches;

    private ControllerRpcServer(Server server, ExecutorService watchExecutor, MetadataWatchHandler watches) {
        this.server = server;
        this.watchExecutor = watchExecutor;
        this.watches = watches;
    }

    /** See {@link MetadataWatchHandler#setServing}. */
    public void setWatchServing(boolean serving, String why) {
        watches.setServing(serving, why);
    }

    /**
     * Binds {@code host:port} (port 0: an ephemeral port) and starts serving the controller
     * requests, the quorum administration, and metadata watches from {@code feed}.
     */
    public static ControllerRpcServer start(String host, int port, QuorumController controller, QuorumAdmin admin,
            MetadataFeed feed) throws IOException {
        ExecutorService watchExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "brook-metadata-watch");
            t.setDaemon(true);
            return t;
        });
        MetadataWatchHandler watches = new MetadataWatchHandler(feed, watchExecutor);
        ControllerGrpcService service = new ControllerGrpcService(controller, admin, watches::watch);
        try {
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(service)
                    .permitKeepAliveTime(MetadataWatchClient.KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .build().start();
            return new ControllerRpcServer(server, watchExecutor, watches);
        } catch (IOException | RuntimeException e) {
            watchExecutor.shutdownNow();
            throw e;
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            watchExecutor.shutdownNow();
        }
    }
}
