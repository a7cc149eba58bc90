package io.brook.cli;

import io.brook.client.BrookConsumer;
import io.brook.client.BrookException;
import io.brook.client.ConsumerRecord;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicPartition;
import io.brook.common.ConfigException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brook consume TOPIC}: prints record values one per line, as Kafka's console consumer,
 * reading every partition (or one) without a group, or with {@code --group} as a member of a
 * consumer group (subscribe; the group's committed offsets, auto-committed as it goes and on
 * exit); stops after {@code --max-messages} records or {@code --timeout-ms} without one, else runs
 * until Ctrl-C (which also commits and leaves the group).
 */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the records of TOPIC, one value per line (UTF-8; with --output json one object per line: "
                + "partition, offset, timestamp, key, value), from every partition or one. Starts at "
                + "the end (new records only) unless --from-beginning or --offset. With --group G, reads as a member of "
                + "consumer group G: the group's partitions of TOPIC, from its committed offsets (a partition without "
                + "one at the end, or the beginning with --from-beginning), committing what was printed as it goes "
                + "and on exit. Stops after --max-messages records or --timeout-ms without a record; otherwise runs "
                + "until Ctrl-C.", ""})
final class ConsumeCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset of each partition (with --group: "
            + "of each partition the group has no committed offset for).")
    boolean fromBeginning;

    @Option(names = "--group", paramLabel = "G", description = "Read as a member of consumer group G (not with "
            + "--partition or --offset).")
    String group;

    @Option(names = "--partition", paramLabel = "P", description = "Read only partition P.")
    Integer partition;

    @Option(names = "--offset", paramLabel = "O", description = "Start partition P (--partition) at offset O.")
    Long offset;

    @Option(names = "--max-messages", paramLabel = "N", description = "Stop after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "T", description = "Stop after T ms without a record.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print KEY<TAB>VALUE (a missing key prints as null).")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print Partition:P<TAB>Offset:O<TAB> before each record.")
    boolean printOffset;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
            description = "Any consumer configuration key (see brook config docs), repeatable.")
    Map<String, String> consumerProperties = new HashMap<>();

    /** Set by Ctrl-C: the loop stops, and the consumer commits and leaves before the JVM exits. */
    private volatile boolean stopping;

    @Override
    public void run() {
        if (offset != null && partition == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        String groupId = group(consumerProperties.get("group.id"));
        if (groupId != null) {
            runInGroup(groupId);
            return;
        }
        List<PartitionInfo> partitions = client.requireTopic(topic);
        List<TopicPartition> assignment = new ArrayList<>();
        for (PartitionInfo info : partitions) {
            if (partition == null || info.partition() == partition) {
                assignment.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (assignment.isEmpty()) {
            throw new CliException("Topic '" + topic + "' has no partition " + partition + " (it has "
                    + partitions.size() + ").");
        }
        Properties properties = client.properties();
        properties.putAll(consumerProperties);
        PrintWriter out = spec.commandLine().getOut();
        long count = 0;
        try (BrookConsumer consumer = open(properties)) {
            consumer.assign(assignment);
            if (offset != null) {
                consumer.seek(assignment.get(0), offset);
            } else if (fromBeginning) {
                consumer.seekToBeginning(assignment);
            } else {
                consumer.seekToEnd(assignment);
            }
            long lastRecord = System.nanoTime();
            while (maxMessages == null || count < maxMessages) {
                if (timeoutMs != null && System.nanoTime() - lastRecord >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                    break;
                }
                long wait = timeoutMs == null ? 1000 : Math.max(1, Math.min(1000, timeoutMs));
                for (ConsumerRecord record : consumer.poll(Duration.ofMillis(wait))) {
                    lastRecord = System.nanoTime();
                    out.println(format(record));
                    count++;
                    if (maxMessages != null && count >= maxMessages) {
                        break;
                    }
                }
                out.flush();
            }
        } catch (BrookException e) {
            throw new CliException(e.getMessage());
        }
        out.flush();
        spec.commandLine().getErr().println("Processed a total of " + count + " messages");
        spec.commandLine().getErr().flush();
    }

    /** The group: --group, or group.id among the consumer properties (the same one when both). */
    private String group(String property) {
        if (group != null && property != null && !group.equals(property)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--group " + group
                    + " and --consumer-property group.id=" + property + " name different groups");
        }
        String groupId = group != null ? group : property;
        if (groupId != null && (partition != null || offset != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--partition and --offset cannot be used "
                    + "with a group: the group's coordinator assigns the partitions and the positions are its "
                    + "committed offsets");
        }
        String reset = consumerProperties.get("auto.offset.reset");
        if (groupId != null && fromBeginning && reset != null && !reset.equals("earliest")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from-beginning and "
                    + "--consumer-property auto.offset.reset=" + reset + " contradict each other");
        }
        return groupId;
    }

    /**
     * Subscribes as a member of {@code groupId} and prints until a stop condition. What was printed
     * is what gets committed: auto-commit commits what earlier polls returned (all printed), and
     * when --max-messages stops the loop inside a poll's records, the partitions are moved back to
     * the first record not printed before close commits.
     */
    private void runInGroup(String groupId) {
        client.requireTopic(topic);
        Properties properties = client.properties();
        if (fromBeginning) {
            properties.put("auto.offset.reset", "earliest"); // only where the group has no committed offset
        }
        properties.putAll(consumerProperties);
        properties.put("group.id", groupId);
        PrintWriter out = spec.commandLine().getOut();
        long count = 0;
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Thread onInterrupt = new Thread(() -> {
            stopping = true;
            try {
                closed.await(10, TimeUnit.SECONDS); // let the loop commit and leave the group
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "brook-consume-shutdown");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (BrookConsumer consumer = open(properties)) {
            consumer.subscribe(List.of(topic));
            long lastRecord = System.nanoTime();
            while (!stopping && (maxMessages == null || count < maxMessages)) {
                if (timeoutMs != null && System.nanoTime() - lastRecord >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                    break;
                }
                long wait = timeoutMs == null ? 1000 : Math.max(1, Math.min(1000, timeoutMs));
                Map<TopicPartition, Long> notPrinted = new HashMap<>();
                for (ConsumerRecord record : consumer.poll(Duration.ofMillis(wait))) {
                    if (maxMessages != null && count >= maxMessages) {
                        notPrinted.putIfAbsent(record.topicPartition(), record.offset());
                        continue;
                    }
                    lastRecord = System.nanoTime();
                    out.println(format(record));
                    count++;
                }
                out.flush();
                notPrinted.forEach(consumer::seek); // so that close commits only what was printed
            }
        } catch (BrookException e) {
            throw new CliException(e.getMessage());
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is running
            }
        }
        out.flush();
        spec.commandLine().getErr().println("Processed a total of " + count + " messages");
        spec.commandLine().getErr().flush();
    }

    private String format(ConsumerRecord record) {
        if (client.json()) {
            return Json.write(Json.object("partition", record.partition(), "offset", record.offset(),
                    "timestamp", record.timestamp(), "key", record.keyAsString(), "value", record.valueAsString()));
        }
        StringBuilder line = new StringBuilder();
        if (printOffset) {
            line.append("Partition:").append(record.partition()).append('\t')
                    .append("Offset:").append(record.offset()).append('\t');
        }
        if (printKey) {
            line.append(record.keyAsString()).append('\t');
        }
        return line.append(record.valueAsString()).toString();
    }

    private BrookConsumer open(Properties properties) {
        try {
            return new BrookConsumer(properties);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        }
    }
}
