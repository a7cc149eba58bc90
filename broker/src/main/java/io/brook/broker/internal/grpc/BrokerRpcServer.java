package io.brook.broker.internal.grpc;

import io.brook.api.v1.GroupServiceGrpc;
import io.brook.broker.internal.groups.GroupCoordinatorRuntime;
import io.brook.broker.internal.ProducerIds;
import io.brook.broker.internal.ReplicaManager;
import io.brook.common.Clock;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.MetadataImage;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The broker's gRPC listener: the public {@code brook.v1} services (BrokerService, AdminService),
 * broker-to-broker replication, gRPC health checking and server reflection, on one address.
 * Requests larger than {@code socket.request.max.bytes} are refused by gRPC before they reach
 * a service (RESOURCE_EXHAUSTED); a malformed message fails its call only.
 */
public final class BrokerRpcServer implements AutoCloseable {
    private final Server server;
    private final HealthStatusManager health;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;

    private BrokerRpcServer(Server server, HealthStatusManager health, ExecutorService executor,
            ScheduledExecutorService timer) {
        this.server = server;
        this.health = health;
        this.executor = executor;
        this.timer = timer;
    }

    /** What the services need from the broker. */
    public record Context(int brokerId, String clusterId, String listenerName, ReplicaManager replicas,
            ProducerIds producerIds, ControllerClient controllers, Supplier<MetadataImage> image,
            IntSupplier controllerId, int maxRequestBytes, Clock clock, GroupCoordinatorRuntime groups) {}

    /** Binds {@code host:port} (0: an ephemeral port) and serves. */
    public static BrokerRpcServer start(String host, int port, Context context) throws IOException {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors()),
                r -> {
                    Thread t = new Thread(r, "brook-broker-" + context.brokerId() + "-io-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-broker-" + context.brokerId() + "-timer");
            t.setDaemon(true);
            return t;
        });
        HealthStatusManager health = new HealthStatusManager();
        List<BindableService> services = List.of(
                new BrokerGrpcService(context.replicas(), context.producerIds(), context.clusterId(),
                        context.controllerId(), context.listenerName(), context.clock()::milliseconds, timer, executor),
                new AdminGrpcService(context.controllers(), context.image(), context.clusterId(), context.listenerName()),
                new ReplicationGrpcService(context.replicas(), executor));
        GroupGrpcService groupService = new GroupGrpcService(context.groups(), context.image(), context.listenerName(),
                context.clock()::milliseconds);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .maxInboundMessageSize(context.maxRequestBytes())
                .permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true)
                .addService(health.getHealthService()).addService(ProtoReflectionServiceV1.newInstance());
        services.forEach(builder::addService);
        builder.addService(groupService.withClientHost());
        try {
            Server server = builder.build().start();
            for (BindableService service : services) {
                health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
            }
            health.setStatus(GroupServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
            health.setStatus("", ServingStatus.SERVING);
            return new BrokerRpcServer(server, health, executor, timer);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            timer.shutdownNow();
            throw e;
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Stops serving: waits briefly for calls in flight, then cuts them. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }

    /** Stops at once, as a crash would for the clients: every call in flight is cut. */
    public void halt() {
        server.shutdownNow();
        executor.shutdownNow();
        timer.shutdownNow();
    }
}
