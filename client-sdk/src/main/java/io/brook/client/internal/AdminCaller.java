package io.brook.client.internal;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.client.BrookException;
import io.brook.client.NetworkException;
import io.brook.client.TimeoutException;
import io.brook.common.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the admin client's requests to a broker — any broker: it answers descriptions from its
 * metadata and forwards changes to the active controller — and retries them within the bound of
 * one blocking call ({@code default.api.timeout.ms}). Thread-safe; each {@link AdminCall} belongs
 * to the thread that began it.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>One broker at a time.</b> Every call goes to the current broker (the first bootstrap
 *       server to begin with) until a transport failure moves it on to the next address: the
 *       bootstrap servers, then the brokers the metadata knows. Staying on one broker is what
 *       lets a description see the change the previous call made: brokers apply committed
 *       metadata independently, so another broker may not have it yet.
 *   <li><b>Retries.</b> A retriable transport failure (no connection, a cut call, no answer in
 *       {@code request.timeout.ms}) is sent again after a backoff; so is every item of a change
 *       answered with a retriable code ({@code NOT_CONTROLLER}, {@code REQUEST_TIMED_OUT}, ...),
 *       and only those items. {@code UNKNOWN_TOPIC_OR_PARTITION} is final for a change: the
 *       controller decided it on the committed metadata, it is not a stale view.
 *   <li><b>Outcomes.</b> An item whose attempt timed out or was cut may have been applied; a
 *       later answer for it is reported with that said (a retried create answered
 *       {@code TOPIC_ALREADY_EXISTS} may be the first attempt's doing), and so is running out of
 *       time ({@link BrookException#indeterminate()}). When no broker ever answered, the failure
 *       is a {@link NetworkException} naming every address tried.
 * </ul>
 */
public final class AdminCaller {
    private static final Logger log = LoggerFactory.getLogger(AdminCaller.class);

    /** Whether a call changes something, so that a lost answer leaves its outcome unknown. */
    public enum Kind { READ, WRITE }

    /** A response, and whether an attempt before it failed in a way that may have applied it. */
    public record Answer<T>(T response, boolean afterIndeterminateFailure) {}

    /** One item (a topic, a config resource) of a change's answer; {@code value} is set for {@code NONE}. */
    public record ItemResult<R>(String key, ErrorCode code, String message, R value) {}

    /**
     * Every item's outcome: the successful items' values in request order, and the first failure
     * in request order (with the other failures suppressed in it), null when none failed.
     */
    public record ItemOutcomes<R>(Map<String, R> done, BrookException failure) {
        /** The successful items' values when every item succeeded; else throws the first failure. */
        public Map<String, R> orThrow() {
            if (failure != null) {
                throw failure;
            }
            return done;
        }
    }

    /** How an item that failed is reported; {@code maybeApplied}: an earlier attempt may have done it. */
    public interface ItemFailure {
        BrookException exception(String key, ErrorCode code, String message, boolean maybeApplied);
    }

    private final Transport transport;
    private final List<String> bootstrap;
    private final Metadata metadata;
    private final Clock clock;
    private final long requestTimeoutMs;
    private final long apiTimeoutMs;
    private final Backoff retryBackoff;
    private final Backoff visibilityBackoff;
    private final String logPrefix;
    private String current;

    /**
     * @param metadata where brokers beyond the bootstrap servers are learnt from
     * @param apiTimeoutMs the bound on one blocking call
     * @param retryBackoff the wait between retries
     * @param visibilityBackoff the wait between polls for a change to be visible
     */
    public AdminCaller(Transport transport, List<String> bootstrap, Metadata metadata, Clock clock,
            long requestTimeoutMs, long apiTimeoutMs, Backoff retryBackoff, Backoff visibilityBackoff, String logPrefix) {
        this.transport = transport;
        this.bootstrap = List.copyOf(bootstrap);
        this.metadata = metadata;
        this.clock = clock;
        this.requestTimeoutMs = requestTimeoutMs;
        this.apiTimeoutMs = apiTimeoutMs;
        this.retryBackoff = retryBackoff;
        this.visibilityBackoff = visibilityBackoff;
        this.logPrefix = logPrefix;
        this.current = this.bootstrap.get(0);
    }

    /** Starts one blocking call named {@code what} ("create topics [a, b]"); its deadline starts now. */
    public AdminCall begin(String what, Kind kind) {
        return new AdminCall(what, kind);
    }

    /** The bootstrap servers, then the brokers the metadata knows, each once. */
    private List<String> addresses() {
        Set<String> addresses = new LinkedHashSet<>(bootstrap);
        for (BrokerEndpoint broker : metadata.view().brokers().values()) {
            addresses.add(broker.getHost() + ":" + broker.getPort());
        }
        return new ArrayList<>(addresses);
    }

    private synchronized String current() {
        return current;
    }

    /** After a transport failure on {@code failed}: the next address, unless another call moved on already. */
    private synchronized void moveOn(String failed) {
        if (current.equals(failed)) {
            List<String> addresses = addresses();
            current = addresses.get((addresses.indexOf(failed) + 1) % addresses.size());
        }
    }

    private Connection connection(String address) {
        String[] hostPort = Metadata.hostPort(address);
        return transport.connection(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    /** One blocking admin call: its deadline, its attempts so far, and the broker that last answered. */
    public final class AdminCall {
        private final String what;
        private final Kind kind;
        private final long deadlineNanos;
        private int retries;
        private Connection answeredBy;

        private AdminCall(String what, Kind kind) {
            this.what = what;
            this.kind = kind;
            this.deadlineNanos = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(apiTimeoutMs);
        }

        /** The time left before this call's deadline, in ms (0 or less once it has passed). */
        public long remainingMs() {
            return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - clock.nanoseconds());
        }

        /** The timeout for one attempt now: {@code request.timeout.ms}, cut to the time left, at least 1 ms. */
        public long attemptMs() {
            return Math.max(1, Math.min(requestTimeoutMs, remainingMs()));
        }

        /**
         * Sends a request — at least once, then again after retriable transport failures until the
         * deadline — and returns the first answer, whatever its error codes.
         *
         * @param request sends to a connection with a per-attempt timeout in ms
         * @throws NetworkException if no broker answered any attempt of this call
         * @throws TimeoutException if a broker answered before but no attempt did now in time
         * @throws BrookException for a failure that a retry would not mend
         */
        public <T> Answer<T> send(BiFunction<Connection, Long, CompletableFuture<T>> request) {
            boolean maybeApplied = false;
            while (true) {
                String address = current();
                long attemptMs = Math.max(1, Math.min(requestTimeoutMs, remainingMs()));
                try {
                    Connection connection = connection(address);
                    T response = Futures.get(request.apply(connection, attemptMs), attemptMs, what + " on " + address);
                    answeredBy = connection;
                    return new Answer<>(response, maybeApplied);
                } catch (BrookException e) {
                    if (!e.retriable()) {
                        throw e;
                    }
                    maybeApplied |= e.indeterminate();
                    log.debug("{} {} failed on {}, retrying: {}", logPrefix, what, address, e.getMessage());
                    moveOn(address);
                    if (!retryLater()) {
                        throw expired(e, maybeApplied);
                    }
                }
            }
        }

        /**
         * Sends a change of several items and sends the items answered with a retriable code again,
         * until every item has its outcome or the deadline passes (the rest then fail as timed out).
         *
         * @param keys the items, each once
         * @param request the request for the given pending items
         * @return the items' outcomes; failures are built by {@code failure}
         * @throws BrookException when no broker answered at all (see {@link #send})
         */
        public <R> ItemOutcomes<R> perItem(List<String> keys,
                Function<List<String>, BiFunction<Connection, Long, CompletableFuture<List<ItemResult<R>>>>> request,
                ItemFailure failure) {
            Map<String, R> done = new LinkedHashMap<>();
            Map<String, BrookException> failed = new LinkedHashMap<>();
            Set<String> maybeApplied = new LinkedHashSet<>();
            Map<String, String> lastError = new LinkedHashMap<>();
            List<String> pending = List.copyOf(keys);
            while (!pending.isEmpty()) {
                Answer<List<ItemResult<R>>> answer;
                try {
                    answer = send(request.apply(pending));
                } catch (BrookException e) {
                    // An item an earlier round may have applied keeps that doubt, whatever this round says.
                    BrookException doubtful = e.indeterminate() ? e : new TimeoutException(what + ": an earlier attempt "
                            + "got no answer and may have been applied; then: " + e.getMessage(), true, e);
                    if (done.isEmpty() && failed.isEmpty()) {
                        throw pending.stream().anyMatch(maybeApplied::contains) ? doubtful : e;
                    }
                    pending.forEach(key -> failed.put(key, maybeApplied.contains(key) ? doubtful : e));
                    break;
                }
                if (answer.afterIndeterminateFailure() && kind == Kind.WRITE) {
                    maybeApplied.addAll(pending);
                }
                Map<String, ItemResult<R>> byKey = new LinkedHashMap<>();
                answer.response().forEach(result -> byKey.putIfAbsent(result.key(), result));
                List<String> again = new ArrayList<>();
                for (String key : pending) {
                    ItemResult<R> result = byKey.get(key);
                    if (result == null) {
                        lastError.put(key, "the broker's answer did not mention it");
                        again.add(key);
                    } else if (result.code() == ErrorCode.NONE) {
                        done.put(key, result.value());
                    } else if (retriable(result.code())) {
                        lastError.put(key, result.code() + ": " + result.message());
                        if (result.code() == ErrorCode.REQUEST_TIMED_OUT && kind == Kind.WRITE) {
                            maybeApplied.add(key);
                        }
                        again.add(key);
                    } else {
                        failed.put(key, failure.exception(key, result.code(), result.message(), maybeApplied.contains(key)));
                    }
                }
                pending = again;
                if (!pending.isEmpty()) {
                    log.debug("{} {}: retrying {} ({})", logPrefix, what, pending, lastError);
                    if (!retryLater()) {
                        for (String key : pending) {
                            failed.put(key, failure.exception(key, ErrorCode.REQUEST_TIMED_OUT, "no final answer within "
                                    + apiTimeoutMs + " ms (last error: " + lastError.get(key) + ")",
                                    maybeApplied.contains(key)));
                        }
                        break;
                    }
                }
            }
            BrookException first = null;
            for (String key : keys) {
                BrookException e = failed.get(key);
                if (e != null && first == null) {
                    first = e;
                } else if (e != null && e != first) {
                    first.addSuppressed(e);
                }
            }
            return new ItemOutcomes<>(done, first);
        }

        /**
         * After a change: asks the broker that answered it until {@code visible} holds for its
         * answer, within the deadline, so that the caller's next description shows the change.
         * Returns false when it did not become visible in time or the broker stopped answering;
         * the change is made either way.
         */
        public <T> boolean awaitVisible(BiFunction<Connection, Long, CompletableFuture<T>> probe, Predicate<T> visible) {
            Connection connection = answeredBy;
            if (connection == null) {
                return false;
            }
            for (int attempt = 0; ; attempt++) {
                long remainingMs = remainingMs();
                if (remainingMs <= 0) {
                    log.debug("{} {}: not yet visible on {} at the deadline", logPrefix, what, connection.address());
                    return false;
                }
                long attemptMs = Math.min(requestTimeoutMs, remainingMs);
                try {
                    if (visible.test(Futures.get(probe.apply(connection, attemptMs), attemptMs, what))) {
                        return true;
                    }
                } catch (BrookException e) {
                    log.debug("{} {}: could not check that it is visible: {}", logPrefix, what, e.getMessage());
                    return false;
                }
                long wait = Math.min(visibilityBackoff.delayMs(attempt), remainingMs());
                if (wait > 0) {
                    Futures.delay(wait);
                }
            }
        }

        /** Waits before the next retry (bounded by the deadline); false when the deadline has passed already. */
        public boolean retryLater() {
            long remainingMs = remainingMs();
            if (remainingMs <= 0) {
                return false;
            }
            long wait = Math.min(retryBackoff.delayMs(retries++), remainingMs);
            if (wait > 0) {
                Futures.delay(wait);
            }
            return true;
        }

        private BrookException expired(BrookException last, boolean maybeApplied) {
            boolean indeterminate = kind == Kind.WRITE && maybeApplied;
            if (answeredBy == null) {
                return new NetworkException("No reachable broker among " + addresses() + " within " + apiTimeoutMs
                        + " ms: " + last.getMessage(), indeterminate, last);
            }
            return new TimeoutException("Could not " + what + " within " + apiTimeoutMs + " ms (last error: "
                    + last.getMessage() + ")" + (indeterminate ? "; it may or may not have been applied." : "."),
                    indeterminate, last);
        }
    }

    /**
     * Whether an item answered with {@code code} is sent again. Unknown topics are final for
     * admin requests: they are decided on the committed metadata (changes) or are the answer
     * itself (descriptions).
     */
    static boolean retriable(ErrorCode code) {
        return Errors.retriable(code) && code != ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                && code != ErrorCode.UNKNOWN_TOPIC_ID;
    }
}
