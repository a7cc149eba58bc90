package io.brook.cli;

import io.brook.client.PartitionInfo;
import io.brook.common.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code brook perf produce|consume}: Kafka's perf tools' measurements and output, against Brook. */
@Command(name = "perf", mixinStandardHelpOptions = true, description = "Measure produce and consume throughput and latency.",
        subcommands = {PerfCommand.Produce.class, PerfCommand.Consume.class})
final class PerfCommand extends CommandGroup {

    private static Map<String, Object> config(Properties properties, Map<String, String> overrides) {
        Map<String, Object> config = new HashMap<>();
        properties.forEach((k, v) -> config.put(String.valueOf(k), v));
        config.putAll(overrides);
        return config;
    }

    @Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Send --num-records records of --record-size random bytes to --topic, unthrottled or at "
                    + "--throughput records/s, and print, as Kafka's ProducerPerformance does, a progress line every "
                    + "5 s and a final line: records/s, MB/s, average / max / 50th / 95th / 99th / 99.9th percentile "
                    + "latency (send to acknowledgement, ms).", ""})
    static final class Produce extends ClientCommand {
        @Option(names = "--topic", required = true, paramLabel = "T", description = "The topic (it must exist).")
        String topic;

        @Option(names = "--num-records", required = true, paramLabel = "N", description = "How many records to send.")
        long numRecords;

        @Option(names = "--record-size", required = true, paramLabel = "B", description = "Bytes per record value.")
        int recordSize;

        @Option(names = "--throughput", paramLabel = "R", defaultValue = "-1",
                description = "At most R records/s; -1 (default) for as fast as possible.")
        double throughput;

        @Option(names = "--acks", paramLabel = "A", description = "all, 1 or 0 (default: the producer's, all).")
        String acks;

        @Option(names = "--warmup-records", paramLabel = "W", defaultValue = "0",
                description = "Also print a steady-state line for the records after the first W, as Kafka's tool does.")
        long warmupRecords;

        @Option(names = "--producer-prop", paramLabel = "KEY=VALUE",
                description = "Any producer configuration key (see brook config docs), repeatable.")
        Map<String, String> producerProps = new HashMap<>();

        @Override
        public void run() {
            if (numRecords < 0 || recordSize < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--num-records and --record-size must not be negative");
            }
            client.requireTopic(topic);
            Map<String, Object> config = config(client.properties(), producerProps);
            if (acks != null) {
                config.put("acks", acks);
            }
            client.checked(() -> new ProducerPerformance(Clock.system(), spec.commandLine().getOut())
                    .run(config, topic, numRecords, recordSize, throughput, warmupRecords));
        }
    }

    @Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Read --messages records of --topic from the beginning of every partition and print, as "
                    + "Kafka's ConsumerPerformance does, a CSV header and one line: MB and records consumed, per "
                    + "second.", ""})
    static final class Consume extends ClientCommand {
        @Option(names = "--topic", required = true, paramLabel = "T", description = "The topic.")
        String topic;

        @Option(names = {"--messages", "--num-records"}, required = true, paramLabel = "N",
                description = "How many records to read.")
        long messages;

        @Option(names = "--timeout", paramLabel = "MS", defaultValue = "10000",
                description = "Stop after MS ms without a record (default: ${DEFAULT-VALUE}).")
        long timeoutMs;

        @Option(names = "--consumer-prop", paramLabel = "KEY=VALUE",
                description = "Any consumer configuration key (see brook config docs), repeatable.")
        Map<String, String> consumerProps = new HashMap<>();

        @Override
        public void run() {
            List<PartitionInfo> partitions = client.requireTopic(topic);
            Map<String, Object> config = config(client.properties(), consumerProps);
            client.checked(() -> new ConsumerPerformance(Clock.system(), spec.commandLine().getOut())
                    .run(config, partitions, messages, timeoutMs));
        }
    }
}
