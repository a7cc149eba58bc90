package io.brook.metadata.internal.grpc;

import io.brook.api.internal.controller.AddRaftVoterRequest;
import io.brook.api.internal.controller.AddRaftVoterResponse;
import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.internal.controller.AllocateProducerIdsResponse;
import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.AlterPartitionResponse;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.ControllerError;
import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.ControllerServiceGrpc.ControllerServiceStub;
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
import io.brook.api.internal.controller.DescribeQuorumRequest;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.ElectLeadersResponse;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RemoveRaftVoterRequest;
import io.brook.api.internal.controller.RemoveRaftVoterResponse;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.ControllerClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ControllerClient} over gRPC. Keeps one channel per controller address and remembers
 * which one answered as the active controller; on {@code NOT_CONTROLLER} or an unreachable
 * controller it moves to the next address after a short backoff, until the request timeout.
 *
 * <p>Requests that are safe to send twice (heartbeats, registration, ISR changes fenced by the
 * partition epoch, producer-id blocks, quorum descriptions) give each attempt at most the attempt
 * timeout: a controller that went silent (cut off by a partition, paused) then costs one attempt
 * timeout, not the whole request timeout, before the next controller is tried. Admin writes
 * (topics, partitions, configs, ACLs, elections, voters) are sent once per controller with the
 * whole remaining time, so a slow but working controller does not apply them twice.
 */
public final class GrpcControllerClient implements ControllerClient {
    private static final Logger log = LoggerFactory.getLogger(GrpcControllerClient.class);
    private static final long BACKOFF_MS = 20;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<String> addresses;
    private final long timeoutMs;
    private final long attemptTimeoutMs;
    private final ScheduledExecutorService retries;
    private volatile int current;

    private GrpcControllerClient(List<String> addresses, Duration timeout, Duration attemptTimeout) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no controller address given");
        }
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
            throw new IllegalArgumentException("the attempt timeout must be positive: " + attemptTimeout);
        }
        this.addresses = List.copyOf(addresses);
        this.timeoutMs = timeout.toMillis();
        this.attemptTimeoutMs = Math.min(timeoutMs, attemptTimeout.toMillis());
        for (String address : addresses) {
            int colon = address.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("controller address '" + address + "' is not host:port");
            }
            channels.add(NettyChannelBuilder.forAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))).usePlaintext().build());
        }
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-controller-client");
            t.setDaemon(true);
            return t;
        });
    }

    public static GrpcControllerClient connect(List<String> addresses, Duration timeout, Duration attemptTimeout) {
        return new GrpcControllerClient(addresses, timeout, attemptTimeout);
    }

    /** How one request is sent: its calls, and whether an attempt may be cut short and sent again. */
    private record Call<R>(BiConsumer<ControllerServiceStub, StreamObserver<R>> rpc, Function<R, ControllerError> errorOf,
            boolean repeatable) {}

    /** Sends a request that must not be applied twice: each controller gets the whole remaining time. */
    private <R> CompletableFuture<R> send(BiConsumer<ControllerServiceStub, StreamObserver<R>> call,
            Function<R, ControllerError> errorOf) {
        return send(new Call<>(call, errorOf, false));
    }

    /** Sends a request that is safe to apply twice: each attempt gets at most the attempt timeout. */
    private <R> CompletableFuture<R> sendRepeatable(BiConsumer<ControllerServiceStub, StreamObserver<R>> call,
            Function<R, ControllerError> errorOf) {
        return send(new Call<>(call, errorOf, true));
    }

    /** Sends one request, following the active controller, until the deadline. */
    private <R> CompletableFuture<R> send(Call<R> call) {
        CompletableFuture<R> out = new CompletableFuture<>();
        attempt(call, out, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), null);
        return out;
    }

    private <R> void attempt(Call<R> call, CompletableFuture<R> out, long deadlineNanos, R lastNotController) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (remainingMs <= 0) {
            if (lastNotController != null) {
                out.complete(lastNotController);
            } else {
                out.completeExceptionally(new java.util.concurrent.TimeoutException("no active controller answered within "
                        + timeoutMs + " ms (tried " + addresses + ")"));
            }
            return;
        }
        int index = current;
        long attemptMs = call.repeatable() ? Math.min(remainingMs, attemptTimeoutMs) : remainingMs;
        ControllerServiceStub stub = ControllerServiceGrpc.newStub(channels.get(index))
                .withDeadlineAfter(attemptMs, TimeUnit.MILLISECONDS);
        call.rpc().accept(stub, new StreamObserver<R>() {
            @Override
            public void onNext(R response) {
                ControllerError error = call.errorOf().apply(response);
                if (error.getCode() == ErrorCode.NOT_CONTROLLER) {
                    moveOn(index);
                    retry(call, out, deadlineNanos, response);
                } else if (error.getCode() == ErrorCode.REQUEST_TIMED_OUT && call.repeatable()) {
                    // The controller lost leadership before the write committed: a repeatable request
                    // goes to the next controller; any other is answered with the unknown outcome.
                    moveOn(index);
                    retry(call, out, deadlineNanos, response);
                } else {
                    out.complete(response);
                }
            }

            @Override
            public void onError(Throwable t) {
                log.debug("Controller {} did not answer: {}", addresses.get(index), t.toString());
                moveOn(index);
                retry(call, out, deadlineNanos, lastNotController);
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    private void moveOn(int failed) {
        if (current == failed) {
            current = (failed + 1) % channels.size();
        }
    }

    private <R> void retry(Call<R> call, CompletableFuture<R> out, long deadlineNanos, R lastNotController) {
        try {
            retries.schedule(() -> attempt(call, out, deadlineNanos, lastNotController), BACKOFF_MS,
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("the controller client is closed"));
        }
    }

    @Override
    public CompletableFuture<RegisterBrokerResponse> registerBroker(RegisterBrokerRequest r) {
        return sendRepeatable((s, o) -> s.registerBroker(r, o), RegisterBrokerResponse::getError);
    }

    @Override
    public CompletableFuture<BrokerHeartbeatResponse> brokerHeartbeat(BrokerHeartbeatRequest r) {
        return sendRepeatable((s, o) -> s.brokerHeartbeat(r, o), BrokerHeartbeatResponse::getError);
    }

    @Override
    public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest r) {
        return send((s, o) -> s.createTopics(r, o), CreateTopicsResponse::getError);
    }

    @Override
    public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest r) {
        return send((s, o) -> s.deleteTopics(r, o), DeleteTopicsResponse::getError);
    }

    @Override
    public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest r) {
        return send((s, o) -> s.createPartitions(r, o), CreatePartitionsResponse::getError);
    }

    @Override
    public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest r) {
        return sendRepeatable((s, o) -> s.alterPartition(r, o), AlterPartitionResponse::getError);
    }

    @Override
    public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest r) {
        return send((s, o) -> s.electLeaders(r, o), ElectLeadersResponse::getError);
    }

    @Override
    public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(IncrementalAlterConfigsRequest r) {
        return send((s, o) -> s.incrementalAlterConfigs(r, o), IncrementalAlterConfigsResponse::getError);
    }

    @Override
    public CompletableFuture<CreateAclsResponse> createAcls(CreateAclsRequest r) {
        return send((s, o) -> s.createAcls(r, o), CreateAclsResponse::getError);
    }

    @Override
    public CompletableFuture<DeleteAclsResponse> deleteAcls(DeleteAclsRequest r) {
        return send((s, o) -> s.deleteAcls(r, o), DeleteAclsResponse::getError);
    }

    @Override
    public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(AllocateProducerIdsRequest r) {
        return sendRepeatable((s, o) -> s.allocateProducerIds(r, o), AllocateProducerIdsResponse::getError);
    }

    @Override
    public CompletableFuture<DescribeQuorumResponse> describeQuorum() {
        return sendRepeatable((s, o) -> s.describeQuorum(DescribeQuorumRequest.getDefaultInstance(), o),
                DescribeQuorumResponse::getError);
    }

    @Override
    public CompletableFuture<AddRaftVoterResponse> addRaftVoter(AddRaftVoterRequest r) {
        return send((s, o) -> s.addRaftVoter(r, o), AddRaftVoterResponse::getError);
    }

    @Override
    public CompletableFuture<RemoveRaftVoterResponse> removeRaftVoter(RemoveRaftVoterRequest r) {
        return send((s, o) -> s.removeRaftVoter(r, o), RemoveRaftVoterResponse::getError);
    }

    @Override
    public void close() {
        retries.shutdownNow();
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
