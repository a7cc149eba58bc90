package io.brook.chaos.check;

import io.brook.chaos.check.internal.Describe;
import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures how available writes were: counts of sends by outcome, the longest stretch with no
 * acknowledged send, and how soon sends were acknowledged again after each fault healed.
 *
 * <p>Exactly: the send window runs from the first send's invocation to the last send op
 * (invocation or completion) of the history; the final reads afterwards are outside it. The
 * gaps are the stretches between consecutive acknowledgements (OK send completions), plus the
 * stretch before the first and after the last within the window; the longest is reported with
 * its start and end. For each healed fault window, the recovery time is the time of the first
 * OK send completion at or after the heal minus the heal time; a fault after whose heal no send
 * was acknowledged is unrecovered. The median and the maximum are over recovered faults, overall
 * and per fault kind.
 *
 * <p>Valid always, unless built with {@link #bounded}: then every gap longer than the
 * unavailability bound, every recovery slower than the recovery bound and every unrecovered
 * fault is an anomaly.
 *
 * <p>Figures (times in milliseconds; start and end since the run started; NaN when there was
 * nothing to measure): attempted, acknowledged, failed, indeterminate, longest-unavailable-ms,
 * longest-unavailable-start-ms, longest-unavailable-end-ms, faults, healed-faults,
 * unrecovered-faults, median-recovery-ms, max-recovery-ms, then the maps and lists
 * median-recovery-ms-by-kind and recoveries (one line per healed fault). Immutable and
 * thread-safe.
 */
public final class AvailabilityChecker implements Checker {
    public static final String NAME = "availability";
    private static final long UNBOUNDED = Long.MAX_VALUE;

    private final long maxUnavailableNanos;
    private final long maxRecoveryNanos;

    /** Measures only: always valid. */
    public AvailabilityChecker() {
        this(UNBOUNDED, UNBOUNDED);
    }

    private AvailabilityChecker(long maxUnavailableNanos, long maxRecoveryNanos) {
        this.maxUnavailableNanos = maxUnavailableNanos;
        this.maxRecoveryNanos = maxRecoveryNanos;
    }

    /**
     * A checker that fails a run in which no send was acknowledged for longer than
     * {@code maxUnavailability}, or a healed fault was followed by no acknowledged send for
     * longer than {@code maxRecovery} (or by none at all).
     */
    public static AvailabilityChecker bounded(Duration maxUnavailability, Duration maxRecovery) {
        return new AvailabilityChecker(maxUnavailability.toNanos(), maxRecovery.toNanos());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** An acknowledgement: when and by which op. */
    private record Point(long timeNanos, long opIndex) {}

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        long attempted = 0;
        long acknowledged = 0;
        long failed = 0;
        long indeterminate = 0;
        Point windowStart = null;
        Point windowEnd = null;
        List<Point> acks = new ArrayList<>();
        for (Operation send : history.operations()) {
            if (!send.f().equals(Op.SEND)) {
                continue;
            }
            attempted++;
            switch (send.outcome()) {
                case OK -> {
                    acknowledged++;
                    acks.add(new Point(send.completion().timeNanos(), send.completion().index()));
                }
                case FAIL -> failed++;
                default -> indeterminate++;
            }
            Op first = send.first();
            Op last = send.last();
            if (windowStart == null || first.timeNanos() < windowStart.timeNanos()) {
                windowStart = new Point(first.timeNanos(), first.index());
            }
            if (windowEnd == null || last.timeNanos() > windowEnd.timeNanos()) {
                windowEnd = new Point(last.timeNanos(), last.index());
            }
        }
        acks.sort(Comparator.comparingLong(Point::timeNanos).thenComparingLong(Point::opIndex));

        List<String> anomalies = new ArrayList<>();
        Point longestFrom = null;
        Point longestTo = null;
        if (windowStart != null) {
            List<Point> points = new ArrayList<>();
            points.add(windowStart);
            points.addAll(acks);
            points.add(windowEnd);
            for (int i = 1; i < points.size(); i++) {
                Point from = points.get(i - 1);
                Point to = points.get(i);
                long gap = to.timeNanos() - from.timeNanos();
                if (longestFrom == null || gap > longestTo.timeNanos() - longestFrom.timeNanos()) {
                    longestFrom = from;
                    longestTo = to;
                }
                if (gap > maxUnavailableNanos) {
                    anomalies.add("unavailable: no send acknowledged for " + Describe.ms(gap) + ", from "
                            + Describe.at(from.timeNanos()) + " (op " + from.opIndex() + ") to "
                            + Describe.at(to.timeNanos()) + " (op " + to.opIndex() + "); the bound is "
                            + Describe.ms(maxUnavailableNanos));
                }
            }
        }

        List<String> recoveries = new ArrayList<>();
        List<Long> recoveryNanos = new ArrayList<>();
        Map<String, List<Long>> recoveryNanosByKind = new TreeMap<>();
        long healed = 0;
        long unrecovered = 0;
        for (FaultWindow fault : faults) {
            if (!fault.healed()) {
                continue;
            }
            healed++;
            Point next = firstAtOrAfter(acks, fault.endNanos());
            String what = fault.describe() + " healed at " + Describe.at(fault.endNanos());
            if (next == null) {
                unrecovered++;
                recoveries.add(what + ": no send acknowledged afterwards");
                if (maxRecoveryNanos != UNBOUNDED) {
                    anomalies.add("unrecovered: " + what + " and no send was acknowledged afterwards");
                }
                continue;
            }
            long recovery = next.timeNanos() - fault.endNanos();
            recoveryNanos.add(recovery);
            recoveryNanosByKind.computeIfAbsent(fault.kind(), k -> new ArrayList<>()).add(recovery);
            recoveries.add(what + ": first send acknowledged " + Describe.ms(recovery) + " later (op "
                    + next.opIndex() + ")");
            if (recovery > maxRecoveryNanos) {
                anomalies.add("slow recovery: " + what + ", and the first send acknowledged afterwards (op "
                        + next.opIndex() + ") came " + Describe.ms(recovery) + " later; the bound is "
                        + Describe.ms(maxRecoveryNanos));
            }
        }

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("attempted", attempted);
        figures.put("acknowledged", acknowledged);
        figures.put("failed", failed);
        figures.put("indeterminate", indeterminate);
        figures.put("longest-unavailable-ms", longestFrom == null ? 0.0
                : Describe.millis(longestTo.timeNanos() - longestFrom.timeNanos()));
        figures.put("longest-unavailable-start-ms", longestFrom == null ? Double.NaN
                : Describe.millis(longestFrom.timeNanos()));
        figures.put("longest-unavailable-end-ms", longestTo == null ? Double.NaN
                : Describe.millis(longestTo.timeNanos()));
        figures.put("faults", (long) faults.size());
        figures.put("healed-faults", healed);
        figures.put("unrecovered-faults", unrecovered);
        figures.put("median-recovery-ms", medianMillis(recoveryNanos));
        figures.put("max-recovery-ms", recoveryNanos.isEmpty() ? Double.NaN
                : Describe.millis(recoveryNanos.stream().mapToLong(Long::longValue).max().orElseThrow()));
        Map<String, Double> byKind = new LinkedHashMap<>();
        recoveryNanosByKind.forEach((kind, list) -> byKind.put(kind, medianMillis(list)));
        figures.put("median-recovery-ms-by-kind", byKind);
        figures.put("recoveries", recoveries);
        return CheckResult.of(NAME, anomalies, figures);
    }

    /** The first acknowledgement at or after {@code timeNanos}, or null. */
    private static Point firstAtOrAfter(List<Point> acks, long timeNanos) {
        int low = 0;
        int high = acks.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (acks.get(middle).timeNanos() < timeNanos) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low < acks.size() ? acks.get(low) : null;
    }

    /** The median of {@code nanos} in milliseconds (the mean of the middle two for an even count), or NaN. */
    static double medianMillis(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = nanos.stream().sorted().toList();
        int middle = sorted.size() / 2;
        double median = sorted.size() % 2 == 1
                ? sorted.get(middle)
                : (sorted.get(middle - 1) + (double) sorted.get(middle)) / 2;
        return median / 1e6;
    }
}
