package io.brook.cli;

import io.brook.client.BrookConsumer;
import io.brook.client.ConsumerRecord;
import io.brook.client.ConsumerRecords;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.io.PrintWriter;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code brook perf consume}: reads {@code messages} records of a topic from the beginning of
 * every partition and prints what Kafka's {@code ConsumerPerformance} prints by default — a CSV
 * header and one line — so that the two compare column by column. There is no group, so the
 * rebalance time is 0 and the fetch figures equal the totals.
 */
final class ConsumerPerformance {
    static final String HEADER = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
            + "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

    private final Clock clock;
    private final PrintWriter out;

    ConsumerPerformance(Clock clock, PrintWriter out) {
        this.clock = clock;
        this.out = out;
    }

    record Result(long messages, long bytes, double seconds) {}

    Result run(Map<String, Object> consumerConfig, List<PartitionInfo> partitions, long messages, long timeoutMs) {
        long startMs = clock.milliseconds();
        long start = clock.nanoseconds();
        long count = 0;
        long bytes = 0;
        try (BrookConsumer consumer = new BrookConsumer(consumerConfig)) {
            List<TopicPartition> assignment = new ArrayList<>();
            partitions.forEach(p -> assignment.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            long lastRecord = clock.nanoseconds();
            while (count < messages && clock.nanoseconds() - lastRecord < TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                ConsumerRecords records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    lastRecord = clock.nanoseconds();
                }
                for (ConsumerRecord record : records) {
                    count++;
                    bytes += (record.key() == null ? 0 : record.key().length)
                            + (record.value() == null ? 0 : record.value().length);
                }
            }
        }
        long endMs = clock.milliseconds();
        double seconds = Math.max(1e-9, (clock.nanoseconds() - start) / 1e9);
        double mb = bytes / (1024.0 * 1024.0);
        SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS");
        out.println(HEADER);
        out.printf("%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f%n", format.format(new Date(startMs)),
                format.format(new Date(endMs)), mb, mb / seconds, count, count / seconds, 0,
                (long) (seconds * 1000), mb / seconds, count / seconds);
        if (count < messages) {
            out.printf("WARNING: Exiting before consuming the expected number of messages: timeout (%d ms) exceeded.%n",
                    timeoutMs);
        }
        out.flush();
        return new Result(count, bytes, seconds);
    }
}
