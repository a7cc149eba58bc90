package io.brook.cli;

import io.brook.metadata.StorageFormatException;
import io.brook.metadata.StorageFormatter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code brook storage}: format a node's directories for a cluster before its first start, as
 * Kafka's {@code kafka-storage.sh} does.
 */
@Command(name = "storage", description = "Format storage directories for a cluster.",
        mixinStandardHelpOptions = true,
        subcommands = {StorageCommand.Format.class, StorageCommand.RandomUuid.class})
final class StorageCommand extends CommandGroup {

    @Command(name = "random-uuid", description = "Print a new random cluster id.", mixinStandardHelpOptions = true)
    static final class RandomUuid implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().println(newClusterId());
        }
    }

    @Command(name = "format", mixinStandardHelpOptions = true,
            description = "Write meta.properties (cluster id, node id) into metadata.log.dir and every log.dirs "
                    + "directory of the node's configuration. A node refuses to start on unformatted directories.")
    static final class Format implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, required = true, description = "The node's configuration file.")
        Path config;

        @Option(names = {"-t", "--cluster-id"}, required = true,
                description = "The cluster id (make one with `brook storage random-uuid`).")
        String clusterId;

        @Option(names = {"-g", "--ignore-formatted"},
                description = "Skip directories that are already formatted instead of failing.")
        boolean ignoreFormatted;

        @Override
        public void run() {
            Properties properties = load(config);
            String nodeIdText = properties.getProperty("node.id");
            if (nodeIdText == null) {
                throw new CliException("Configuration " + config + " has no node.id.");
            }
            int nodeId;
            try {
                nodeId = Integer.parseInt(nodeIdText.trim());
            } catch (NumberFormatException e) {
                throw new CliException("node.id in " + config + " is not a number: '" + nodeIdText + "'.");
            }
            List<Path> dirs = directories(properties::getProperty);
            if (dirs.isEmpty()) {
                throw new CliException("Configuration " + config + " sets neither metadata.log.dir nor log.dirs.");
            }
            formatDirectories(spec.commandLine().getOut(), dirs, clusterId, nodeId, ignoreFormatted);
        }

        private static Properties load(Path file) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new CliException("Cannot read configuration " + file + ": " + e.getMessage());
            }
            return properties;
        }
    }

    /** A new random cluster id, as {@code brook storage random-uuid} prints it. */
    static String newClusterId() {
        return StorageFormatter.randomClusterId(new Random(new SecureRandom().nextLong()));
    }

    /**
     * The directories a node's configuration asks to format: {@code metadata.log.dir} and every
     * {@code log.dirs} entry, each once, in that order.
     *
     * @param property the configuration's value of a key, null when it is not set
     */
    static List<Path> directories(Function<String, String> property) {
        Set<String> dirs = new LinkedHashSet<>();
        String metadataDir = property.apply("metadata.log.dir");
        if (metadataDir != null && !metadataDir.isBlank()) {
            dirs.add(metadataDir.trim());
        }
        String logDirs = property.apply("log.dirs");
        if (logDirs != null) {
            for (String dir : logDirs.split(",")) {
                if (!dir.isBlank()) {
                    dirs.add(dir.trim());
                }
            }
        }
        List<Path> out = new ArrayList<>();
        dirs.forEach(d -> out.add(Path.of(d)));
        return out;
    }

    /**
     * Formats each directory for the cluster and node (writes {@code meta.properties}), printing
     * one line per directory.
     *
     * @throws CliException when the cluster id is invalid or a directory cannot be formatted
     */
    static void formatDirectories(PrintWriter out, List<Path> dirs, String clusterId, int nodeId,
            boolean ignoreFormatted) {
        try {
            StorageFormatter.clusterUuid(clusterId);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        for (Path dir : dirs) {
            try {
                boolean formatted = StorageFormatter.format(dir, clusterId, nodeId, ignoreFormatted);
                out.println((formatted ? "Formatted " : "Already formatted, skipped ") + dir
                        + " (cluster.id=" + clusterId + ", node.id=" + nodeId + ")");
            } catch (StorageFormatException | IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
    }
}
