package io.brook.chaos.history;

import io.brook.chaos.history.internal.JsonLines;
import io.brook.chaos.history.internal.OpCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The record of a chaos run: every client operation's invocation and completion, in the order
 * they were recorded (see {@link Op}). The checkers read it after the run.
 *
 * <p>Thread-safe: workload threads {@link #record} concurrently; each op gets the next index and
 * the current time under one lock, so index order is time order (given a monotonic source).
 * The history has no clock of its own: the time comes from the {@link LongSupplier} passed in,
 * which returns nanoseconds since the run started (the runner passes {@code System.nanoTime()}
 * minus the start; tests pass a counter).
 *
 * <h2>Pairing</h2>
 * {@link #operations()} pairs each completion with its invocation, as Jepsen does: a process
 * normally has one operation outstanding at a time, and its next completion ends it. A producer
 * process may have several sends in flight at once (the asynchronous producer, up to
 * {@code max.in.flight}); a completion therefore ends the oldest outstanding invocation of the
 * same process, same {@code f} and same {@code value} (send values are unique in a run; ops
 * without a value match on process and {@code f}). A completion with no such invocation is a
 * notification (assign, revoke).
 *
 * <h2>File format</h2>
 * {@link #writeJsonLines} writes one JSON object per op and line, fields in a fixed order, empty
 * fields left out, non-ASCII characters escaped; {@link #readJsonLines} reads it back to an equal
 * history. For example:
 * <pre>{@code
 * {"index":7,"timeNanos":1500000,"process":2,"type":"ok","f":"send","node":1,"topic":"queue","partition":0,"key":"k2","value":"2-17","offset":41}
 * {"index":9,"timeNanos":1700000,"process":10,"type":"ok","f":"poll","messages":[{"topic":"queue","partition":0,"offset":41,"key":"k2","value":"2-17"}]}
 * }</pre>
 */
public final class History {
    private final LongSupplier nanosSinceStart;
    private final Object lock = new Object();
    private final List<Op> ops;

    /** An empty history that stamps ops with {@code nanosSinceStart}. */
    public History(LongSupplier nanosSinceStart) {
        this.nanosSinceStart = Objects.requireNonNull(nanosSinceStart, "nanosSinceStart");
        this.ops = new ArrayList<>();
    }

    private History(List<Op> recorded) {
        this.nanosSinceStart = () -> {
            throw new IllegalStateException("a history read back or built from ops takes no new ops");
        };
        this.ops = new ArrayList<>(recorded);
    }

    /**
     * A complete history of already recorded ops (read from a file, or built by a test); it
     * takes no new ops.
     *
     * @throws IllegalArgumentException if the indexes do not strictly increase
     */
    public static History of(List<Op> recorded) {
        long previous = -1;
        for (Op op : recorded) {
            if (op.index() <= previous) {
                throw new IllegalArgumentException(
                        "indexes must strictly increase: op " + op.index() + " after op " + previous);
            }
            previous = op.index();
        }
        return new History(recorded);
    }

    /**
     * Appends {@code op} with the next index and the current time, ignoring its own.
     *
     * @return the op as recorded
     */
    public Op record(Op op) {
        Objects.requireNonNull(op, "op");
        synchronized (lock) {
            Op stamped = op.recordedAt(ops.size(), nanosSinceStart.getAsLong());
            ops.add(stamped);
            return stamped;
        }
    }

    /** A snapshot of the ops recorded so far, in index order. */
    public List<Op> ops() {
        synchronized (lock) {
            return List.copyOf(ops);
        }
    }

    /** How many ops were recorded. */
    public int size() {
        synchronized (lock) {
            return ops.size();
        }
    }

    /**
     * Every operation, its invocation paired with its completion (see the class comment), in
     * the order they started.
     */
    public List<Operation> operations() {
        List<Operation> paired = new ArrayList<>();
        Map<Integer, LinkedList<Op>> outstanding = new HashMap<>();
        for (Op op : ops()) {
            if (op.isInvoke()) {
                outstanding.computeIfAbsent(op.process(), p -> new LinkedList<>()).add(op);
                continue;
            }
            Op invocation = null;
            LinkedList<Op> waiting = outstanding.get(op.process());
            if (waiting != null) {
                for (Iterator<Op> it = waiting.iterator(); it.hasNext(); ) {
                    Op candidate = it.next();
                    if (candidate.f().equals(op.f()) && Objects.equals(candidate.value(), op.value())) {
                        invocation = candidate;
                        it.remove();
                        break;
                    }
                }
            }
            paired.add(new Operation(invocation, op));
        }
        outstanding.values().forEach(waiting -> waiting.forEach(op -> paired.add(new Operation(op, null))));
        paired.sort(Comparator.comparingLong(Operation::invokeIndex));
        return List.copyOf(paired);
    }

    /** Writes the history to {@code file}, one JSON object per op and line (see the class comment). */
    public void writeJsonLines(Path file) throws IOException {
        JsonLines.write(file, ops(), OpCodec::encode);
    }

    /**
     * Reads a history that {@link #writeJsonLines} wrote.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the line if one is not a valid op
     */
    public static History readJsonLines(Path file) throws IOException {
        return of(JsonLines.read(file, OpCodec::decode));
    }

    /** The ops as JSON lines, for tests and small reports. */
    public String toJsonLines() {
        StringBuilder out = new StringBuilder();
        for (Op op : ops()) {
            out.append(OpCodec.encode(op)).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "History(" + size() + " ops)";
    }
}
