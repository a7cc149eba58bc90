package io.brook.chaos.history;

import io.brook.chaos.history.internal.JsonLines;
import io.brook.chaos.history.internal.OpCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The nemesis's record of a run: one {@link FaultWindow} per injected fault, opened when the
 * fault starts and closed when it is healed. Faults live in their own file next to the client
 * history ({@code faults.jsonl} beside {@code history.jsonl}) rather than as ops in it: the
 * checkers take them as windows, and a window is one line instead of two ops to pair.
 *
 * <p>Thread-safe. Give it the same time source as the run's {@link History}, so windows and ops
 * share a time line. Like the history it has no clock of its own.
 *
 * <p>File format: one JSON object per window and line, in the order the faults started; an open
 * window has no {@code endNanos}:
 * <pre>{@code
 * {"kind":"kill","targets":[2],"detail":"leader of queue-0","startNanos":5000000000,"endNanos":9000000000}
 * }</pre>
 */
public final class FaultHistory {
    private final LongSupplier nanosSinceStart;
    private final List<FaultWindow> windows = new ArrayList<>();

    /** An empty fault history stamped by {@code nanosSinceStart}. */
    public FaultHistory(LongSupplier nanosSinceStart) {
        this.nanosSinceStart = Objects.requireNonNull(nanosSinceStart, "nanosSinceStart");
    }

    /**
     * Records that a fault starts now.
     *
     * @return the fault's id, to pass to {@link #heal}
     */
    public synchronized int start(String kind, List<Integer> targets, String detail) {
        windows.add(FaultWindow.open(kind, targets, detail, nanosSinceStart.getAsLong()));
        return windows.size() - 1;
    }

    /**
     * Records that fault {@code id} is healed now.
     *
     * @throws IllegalStateException if it was healed already
     */
    public synchronized FaultWindow heal(int id) {
        FaultWindow healed = windows.get(id).healedAt(nanosSinceStart.getAsLong());
        windows.set(id, healed);
        return healed;
    }

    /** A snapshot of the windows, in the order the faults started; open ones end at {@link FaultWindow#OPEN}. */
    public synchronized List<FaultWindow> windows() {
        return List.copyOf(windows);
    }

    /** Writes {@code windows} to {@code file}, one JSON object per line. */
    public static void writeJsonLines(Path file, List<FaultWindow> windows) throws IOException {
        JsonLines.write(file, windows, OpCodec::encode);
    }

    /**
     * Reads windows that {@link #writeJsonLines} wrote.
     *
     * @throws IllegalArgumentException naming the line if one is not a valid window
     */
    public static List<FaultWindow> readJsonLines(Path file) throws IOException {
        return List.copyOf(JsonLines.read(file, OpCodec::decodeFault));
    }
}
