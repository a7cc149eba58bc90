package io.brook.metadata.internal.grpc;

import io.brook.metadata.internal.QuorumAdmin;
import io.brook.metadata.internal.controller.QuorumController;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The controller's gRPC listener: the controller service on one address. */
public final class ControllerRpcServer implements AutoCloseable {
    private final Server server;

    private ControllerRpcServer(Server server) {
        this.server = server;
    }

    /** Binds {@code host:port} (port 0: an ephemeral port) and starts serving. */
    public static ControllerRpcServer start(String host, int port, QuorumController controller,
            QuorumAdmin admin) throws IOException {
        ControllerGrpcService service = new ControllerGrpcService(controller, admin,
                (request, out) -> out.onError(Status.UNIMPLEMENTED.withDescription("metadata watch is not served yet")
                        .asRuntimeException()));
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(service).build().start();
        return new ControllerRpcServer(server);
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
        }
    }
}
