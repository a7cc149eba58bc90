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
 * reading every partition (or one) without a group; stops after {@code --max-messages} records or
 * {@code --timeout-ms} without one, else runs until Ctrl-C.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the records of TOPIC, one value per line (UTF-8; with --output json one object per line: "
                + "partition, offset, timestamp, key, value), from every partition or one. Starts at "
                + "the end (new records only) unless --from-beginning or --offset. Stops after --max-messages records "
                + "or --timeout-ms without a record; otherwise runs until Ctrl-C.", ""})
final class ConsumeCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset of each partition.")
    boolean fromBeginning;

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

    @Override
    public void run() {
        if (offset != null && partition == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset needs --partition");
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
