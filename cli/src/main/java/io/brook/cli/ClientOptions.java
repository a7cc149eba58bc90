package io.brook.cli;

import io.brook.client.BrookAdmin;
import io.brook.client.BrookException;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicDescription;
import io.brook.common.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * The options every client command shares (a picocli mixin): where the cluster is, how to print,
 * and an optional client properties file, as Kafka's tools take them. Opens a {@link BrookAdmin}
 * for one command and turns its failures into one-line {@link CliException}s.
 */
final class ClientOptions {
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    /** How a command prints its result. */
    enum Output { TABLE, JSON }

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Brokers to connect to (default: the command config's bootstrap.servers, else "
                    + DEFAULT_BOOTSTRAP + ").")
    String bootstrapServer;

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "table (default) for people, json (one line) for scripts.")
    Output output;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Client properties (for example default.api.timeout.ms or client.id); "
                    + "--bootstrap-server wins over its bootstrap.servers.")
    Path commandConfig;

    boolean json() {
        return output == Output.JSON;
    }

    /**
     * Runs {@code action} with an admin client that is closed afterwards.
     *
     * @throws CliException naming what went wrong: the client's configuration, or the cluster's answer
     */
    <T> T withAdmin(Function<BrookAdmin, T> action) {
        Properties properties = properties();
        BrookAdmin admin;
        try {
            admin = new BrookAdmin(properties);
        } catch (ConfigException e) {
            boolean fromFile = commandConfig != null
                    && !(e.key().equals("bootstrap.servers") && bootstrapServer != null);
            throw new CliException(fromFile ? "Invalid client configuration in " + commandConfig + ": "
                    + e.getMessage() : e.getMessage());
        }
        try (admin) {
            return action.apply(admin);
        } catch (BrookException e) {
            throw new CliException(e.getMessage());
        }
    }

    /**
     * The partitions of {@code topic}, or a {@link CliException} saying it does not exist — so that
     * produce and consume fail at once instead of waiting for metadata that will not come.
     */
    List<PartitionInfo> requireTopic(String topic) {
        return withAdmin(admin -> {
            TopicDescription description = admin.describeTopics(List.of(topic)).get(topic);
            if (description == null) {
                throw new CliException("Topic '" + topic + "' does not exist.");
            }
            return description.partitions();
        });
    }

    /** Runs {@code action}, turning the client's failures into one-line {@link CliException}s. */
    <T> T checked(Supplier<T> action) {
        try {
            return action.get();
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        } catch (BrookException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** The command config's properties with {@code bootstrap.servers} from the flag, the file or the default. */
    Properties properties() {
        Properties properties = new Properties();
        if (commandConfig != null) {
            try (Reader reader = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new CliException("Cannot read the command config " + commandConfig + ": "
                        + (e instanceof NoSuchFileException ? "no such file." : e.getMessage()));
            }
        }
        if (bootstrapServer != null) {
            properties.setProperty("bootstrap.servers", bootstrapServer);
        } else if (!properties.containsKey("bootstrap.servers")) {
            properties.setProperty("bootstrap.servers", DEFAULT_BOOTSTRAP);
        }
        return properties;
    }
}
