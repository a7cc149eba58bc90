package io.brook.cli;

import io.brook.client.BrookException;
import io.brook.client.BrookProducer;
import io.brook.client.ProducerRecord;
import io.brook.client.RecordMetadata;
import io.brook.common.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brook produce TOPIC}: one record per line of standard input, as Kafka's console producer;
 * silent on success unless {@code --print-offsets}; exit status 1 when any record failed.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one record per line of standard input to TOPIC (UTF-8; the line is the value, or "
                + "KEY<SEP>VALUE with --key-separator). Waits for every record's acknowledgement; prints nothing "
                + "unless --print-offsets. Exit status 1 if any record failed.", ""})
final class ProduceCommand extends ClientCommand {
    /** Where lines come from: standard input, replaced in tests. */
    static InputStream input = System.in;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to write to.")
    String topic;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all",
            description = "Acknowledgements to wait for (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "Split each line at the first SEP into key and value; a line without SEP is an error.")
    String keySeparator;

    @Option(names = "--partition", paramLabel = "P", description = "Write every record to partition P "
            + "(default: by key, as Kafka's partitioner; sticky for lines without a key).")
    Integer partition;

    @Option(names = "--compression", paramLabel = "C", defaultValue = "none",
            description = "none, gzip, snappy, lz4 or zstd (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--print-offsets", description = "Print partition and offset of each record (PARTITION:OFFSET; with --output json an object per line).")
    boolean printOffsets;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
            description = "Any producer configuration key (see brook config docs), repeatable.")
    Map<String, String> producerProperties = new HashMap<>();

    @Override
    public void run() {
        client.requireTopic(topic);
        Properties properties = client.properties();
        properties.putAll(producerProperties);
        properties.setProperty("acks", acks);
        properties.setProperty("compression.type", compression);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        try (BrookProducer producer = open(properties);
                BufferedReader lines = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                number++;
                String key = null;
                String value = line;
                if (keySeparator != null) {
                    int at = line.indexOf(keySeparator);
                    if (at < 0) {
                        throw new CliException("Line " + number + " has no key separator '" + keySeparator + "'.");
                    }
                    key = line.substring(0, at);
                    value = line.substring(at + keySeparator.length());
                }
                futures.add(producer.send(new ProducerRecord(topic, partition, bytes(key), bytes(value)),
                        (metadata, error) -> {
                            if (error != null) {
                                firstError.compareAndSet(null, error);
                            }
                        }));
            }
            producer.flush();
        } catch (IOException e) {
            throw new CliException("Cannot read standard input: " + e.getMessage());
        }
        int failed = 0;
        for (CompletableFuture<RecordMetadata> future : futures) {
            try {
                RecordMetadata metadata = future.get();
                if (printOffsets) {
                    out.println(client.json() ? Json.write(Json.object("partition", metadata.partition(),
                            "offset", metadata.offset())) : metadata.partition() + ":" + metadata.offset());
                }
            } catch (ExecutionException e) {
                failed++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("Interrupted.");
            }
        }
        out.flush();
        if (failed > 0) {
            Exception error = firstError.get();
            boolean unknown = error instanceof BrookException b && b.indeterminate();
            throw new CliException(failed + " of " + futures.size() + " records failed" + (unknown ? " (maybe written)" : "")
                    + ": " + error.getMessage());
        }
    }

    private BrookProducer open(Properties properties) {
        try {
            return new BrookProducer(properties);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
