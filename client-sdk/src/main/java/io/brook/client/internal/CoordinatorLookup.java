package io.brook.client.internal;

import io.brook.api.v1.Coordinator;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FindCoordinatorRequest;
import io.brook.client.BrookException;
import io.brook.client.TimeoutException;
import io.brook.common.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Finds group coordinators (FindCoordinator at any broker) and remembers them until a call says the
 * broker is no longer the coordinator. Thread-safe.
 */
public final class CoordinatorLookup {
    private final Metadata metadata;
    private final Transport transport;
    private final Clock clock;
    private final long requestTimeoutMs;
    private final Backoff backoff;
    private final Map<String, Connection> known = new ConcurrentHashMap<>();

    public CoordinatorLookup(Metadata metadata, Transport transport, Clock clock, long requestTimeoutMs,
            Backoff backoff) {
        this.metadata = metadata;
        this.transport = transport;
        this.clock = clock;
        this.requestTimeoutMs = requestTimeoutMs;
        this.backoff = backoff;
    }

    /** Whether {@code code} means "ask FindCoordinator again and retry" (the coordinator moved or is loading). */
    public static boolean coordinatorMoved(ErrorCode code) {
        return code == ErrorCode.NOT_COORDINATOR || code == ErrorCode.COORDINATOR_NOT_AVAILABLE
                || code == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /**
     * The connection to {@code group}'s coordinator: the remembered one, else FindCoordinator at any
     * broker. Fails with the broker's error (retriable COORDINATOR_NOT_AVAILABLE while there is none).
     */
    public CompletableFuture<Connection> coordinator(String group) {
        Connection cached = known.get(group);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        FindCoordinatorRequest request = FindCoordinatorRequest.newBuilder().addGroupIds(group).build();
        return metadata.askAny(c -> c.findCoordinator(request, requestTimeoutMs)).thenApply(response -> {
            Coordinator found = response.getCoordinatorsList().stream().filter(c -> c.getGroupId().equals(group))
                    .findFirst().orElseThrow(() -> new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR,
                            "FindCoordinator answered without group " + group));
            if (found.getErrorCode() != ErrorCode.NONE) {
                throw Errors.exception(found.getErrorCode(), found.getErrorMessage());
            }
            Connection connection = transport.connection(found.getHost(), found.getPort());
            known.put(group, connection);
            return connection;
        });
    }

    /**
     * Forgets {@code group}'s coordinator (after NOT_COORDINATOR, a network failure, ...); the next
     * FindCoordinator starts at another broker than that one (see {@link Metadata#avoid}).
     */
    public void invalidate(String group) {
        Connection forgotten = known.remove(group);
        if (forgotten != null) {
            metadata.avoid(forgotten.address());
        }
    }

    /**
     * Calls {@code op} at {@code group}'s coordinator and blocks for the answer, finding the
     * coordinator again and retrying (with backoff) while the answer's group-level error
     * ({@code errorOf}) says it moved or is loading, or the call failed retriably, for at most
     * {@code timeoutMs}. Other errors are the caller's to read from the answer.
     */
    public <R> R call(String group, Function<Connection, CompletableFuture<R>> op, Function<R, ErrorCode> errorOf,
            long timeoutMs, String what) {
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        BrookException last = null;
        for (int attempt = 0; ; attempt++) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds());
            if (remainingMs <= 0 && attempt > 0) {
                throw new TimeoutException("timed out after " + timeoutMs + " ms waiting for " + what
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")"),
                        last != null && last.indeterminate(), last);
            }
            try {
                R answer = Futures.get(coordinator(group).thenCompose(op), Math.max(1, remainingMs), what);
                ErrorCode code = errorOf.apply(answer);
                if (!coordinatorMoved(code)) {
                    return answer;
                }
                invalidate(group);
                last = Errors.exception(code, "coordinator of group " + group + ": " + code);
            } catch (BrookException e) {
                invalidate(group);
                if (!e.retriable()) {
                    throw e;
                }
                last = e;
            }
            long wait = Math.min(backoff.delayMs(attempt),
                    TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()));
            if (wait > 0) {
                Futures.delay(wait);
            }
        }
    }
}
