package io.brook.cli;

import io.brook.client.BrookProducer;
import io.brook.client.ProducerRecord;
import io.brook.common.Clock;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code brook perf produce}: sends {@code numRecords} records of {@code recordSize} random bytes
 * as fast as the producer takes them or at {@code throughput} records/s, and prints what Kafka's
 * {@code ProducerPerformance} prints, in its format, so that the two can be compared line by line:
 * a progress line every 5 s and a final line with records/s, MB/s and the send-to-acknowledgement
 * latency (average, max, percentiles, from an HdrHistogram).
 */
final class ProducerPerformance {
    static final long REPORT_INTERVAL_MS = 5_000;

    private final Clock clock;
    private final PrintWriter out;

    ProducerPerformance(Clock clock, PrintWriter out) {
        this.clock = clock;
        this.out = out;
    }

    /** The run's totals, for tests and callers. */
    record Result(long records, long errors, double recordsPerSecond, double mbPerSecond, Histogram latencyMs) {}

    Result run(Map<String, Object> producerConfig, String topic, long numRecords, int recordSize, double throughput) {
        return run(producerConfig, topic, numRecords, recordSize, throughput, 0);
    }

    /**
     * As Kafka's tool with {@code --warmup-records}: the first {@code warmupRecords} count in the whole
     * run's line but not in a second, "steady state" line printed after it.
     */
    Result run(Map<String, Object> producerConfig, String topic, long numRecords, int recordSize, double throughput,
            long warmupRecords) {
        byte[] payload = new byte[recordSize];
        new Random(0).nextBytes(payload);
        Recorder window = new Recorder(3);
        Histogram total = new Histogram(3);
        Recorder steady = new Recorder(3);
        AtomicLong steadyAcked = new AtomicLong();
        long[] steadyStart = {0};
        if (warmupRecords > 0) {
            out.printf("Warmup first %d records. Steady state results will print after the complete test summary.%n",
                    warmupRecords);
        }
        AtomicLong windowBytes = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long start = clock.nanoseconds();
        long[] lastReport = {start};
        try (BrookProducer producer = new BrookProducer(producerConfig)) {
            for (long i = 0; i < numRecords; i++) {
                if (throughput > 0) {
                    long due = start + (long) (i * 1e9 / throughput);
                    long wait = due - clock.nanoseconds();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                if (warmupRecords > 0 && i == warmupRecords) {
                    out.println("In steady state.");
                    steadyStart[0] = clock.nanoseconds();
                }
                boolean inSteadyState = warmupRecords > 0 && i >= warmupRecords;
                long sent = clock.nanoseconds();
                producer.send(new ProducerRecord(topic, null, payload), (metadata, error) -> {
                    if (error != null) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, error);
                        return;
                    }
                    long latencyMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(clock.nanoseconds() - sent));
                    window.recordValue(latencyMs);
                    windowBytes.addAndGet(recordSize);
                    acked.incrementAndGet();
                    if (inSteadyState) {
                        steady.recordValue(latencyMs);
                        steadyAcked.incrementAndGet();
                    }
                });
                long now = clock.nanoseconds();
                if (now - lastReport[0] >= TimeUnit.MILLISECONDS.toNanos(REPORT_INTERVAL_MS)) {
                    report(window, total, windowBytes, now - lastReport[0]);
                    lastReport[0] = now;
                }
            }
            producer.flush();
        }
        long end = clock.nanoseconds();
        long elapsed = end - start;
        total.add(window.getIntervalHistogram());
        long records = acked.get();
        Result result = summary("", records, elapsed, recordSize, total, errors.get());
        if (warmupRecords > 0 && steadyStart[0] != 0) {
            result = summary(" steady state", steadyAcked.get(), end - steadyStart[0], recordSize,
                    steady.getIntervalHistogram(), errors.get());
        }
        if (errors.get() > 0) {
            out.printf("%d records failed; the first error: %s%n", errors.get(), firstError.get().getMessage());
        }
        out.flush();
        return result;
    }

    /** Kafka's final line: {@code N[ steady state] records sent, X records/sec (Y MB/sec), ...}. */
    private Result summary(String label, long records, long elapsedNanos, int recordSize, Histogram latency, long errors) {
        double seconds = Math.max(1e-9, elapsedNanos / 1e9);
        double recordsPerSecond = records / seconds;
        double mbPerSecond = records * (double) recordSize / seconds / (1024 * 1024);
        out.printf("%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, "
                        + "%d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.%n",
                records, label, recordsPerSecond, mbPerSecond, latency.getMean(), (double) latency.getMaxValue(),
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(95), latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9));
        return new Result(records, errors, recordsPerSecond, mbPerSecond, latency);
    }

    private void report(Recorder window, Histogram total, AtomicLong windowBytes, long elapsedNanos) {
        Histogram interval = window.getIntervalHistogram();
        total.add(interval);
        double seconds = elapsedNanos / 1e9;
        long count = interval.getTotalCount();
        out.printf("%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.%n",
                count, count / seconds, windowBytes.getAndSet(0) / seconds / (1024 * 1024), interval.getMean(),
                (double) interval.getMaxValue());
        out.flush();
    }
}
