package io.brook.metadata.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GrpcControllerClient} against two real gRPC servers on loopback: one that takes requests
 * and never answers (an active controller cut off by a partition, or paused), one that answers.
 * Found by the chaos harness: with one attempt per request lasting the whole 30 s request timeout,
 * brokers kept heartbeating into the silent controller, missed their sessions at the new one and
 * were fenced — every partition unavailable for up to 30 s.
 */
class GrpcControllerClientTest {
    private final List<Server> servers = new ArrayList<>();
    private GrpcControllerClient client;

    /** Takes every call and never answers. */
    static final class Silent extends ControllerServiceGrpc.ControllerServiceImplBase {
        final AtomicInteger heartbeats = new AtomicInteger();
        final AtomicInteger creates = new AtomicInteger();

        @Override
        public void brokerHeartbeat(BrokerHeartbeatRequest request, StreamObserver<BrokerHeartbeatResponse> out) {
            heartbeats.incrementAndGet();
        }

        @Override
        public void createTopics(CreateTopicsRequest request, StreamObserver<CreateTopicsResponse> out) {
            creates.incrementAndGet();
        }
    }

    /** Answers every heartbeat and create at once. */
    static final class Answering extends ControllerServiceGrpc.ControllerServiceImplBase {
        final AtomicInteger heartbeats = new AtomicInteger();
        final AtomicInteger creates = new AtomicInteger();

        @Override
        public void brokerHeartbeat(BrokerHeartbeatRequest request, StreamObserver<BrokerHeartbeatResponse> out) {
            heartbeats.incrementAndGet();
            out.onNext(BrokerHeartbeatResponse.newBuilder().setIsCaughtUp(true).build());
            out.onCompleted();
        }

        @Override
        public void createTopics(CreateTopicsRequest request, StreamObserver<CreateTopicsResponse> out) {
            creates.incrementAndGet();
            out.onNext(CreateTopicsResponse.getDefaultInstance());
            out.onCompleted();
        }
    }

    private String serve(ControllerServiceGrpc.ControllerServiceImplBase service) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service)
                .build().start();
        servers.add(server);
        return "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        for (Server server : servers) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(20)
    void aHeartbeatGivesUpOnASilentControllerAfterOneAttemptAndReachesTheNext() throws Exception {
        Silent silent = new Silent();
        Answering answering = new Answering();
        client = GrpcControllerClient.connect(List.of(serve(silent), serve(answering)), Duration.ofSeconds(60),
                Duration.ofMillis(200));
        BrokerHeartbeatResponse response = client.brokerHeartbeat(BrokerHeartbeatRequest.getDefaultInstance())
                .get(20, TimeUnit.SECONDS);
        assertTrue(response.getIsCaughtUp());
        assertEquals(1, silent.heartbeats.get(), "one attempt at the silent controller");
        assertEquals(1, answering.heartbeats.get());
        // The client now stays with the controller that answered.
        client.brokerHeartbeat(BrokerHeartbeatRequest.getDefaultInstance()).get(20, TimeUnit.SECONDS);
        assertEquals(1, silent.heartbeats.get());
        assertEquals(2, answering.heartbeats.get());
    }

    @Test
    @Timeout(20)
    void anAdminWriteIsNotSentAgainWhileTheControllerItWentToMayStillApplyIt() throws Exception {
        Silent silent = new Silent();
        Answering answering = new Answering();
        client = GrpcControllerClient.connect(List.of(serve(silent), serve(answering)), Duration.ofMillis(1_500),
                Duration.ofMillis(200));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.createTopics(CreateTopicsRequest.getDefaultInstance()).get(20, TimeUnit.SECONDS));
        assertInstanceOf(java.util.concurrent.TimeoutException.class, e.getCause());
        assertEquals(1, silent.creates.get());
        assertEquals(0, answering.creates.get(), "a create the silent controller may apply is not sent elsewhere");
    }
}
