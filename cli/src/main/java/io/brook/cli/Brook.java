package io.brook.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code brook} command. Exit status: 0 success, 1 a clear one-line error, 2 a usage error.
 */
@Command(name = "brook", mixinStandardHelpOptions = true, version = "brook 0.1.0-SNAPSHOT",
        description = "Brook: a Kafka-style event streaming platform without ZooKeeper.",
        subcommands = {DevCommand.class, StorageCommand.class, ServerCommand.class, TopicsCommand.class,
                GroupsCommand.class, ClusterCommand.class, ProduceCommand.class, ConsumeCommand.class, PerfCommand.class,
                ConfigCommand.class, ChaosCommand.class})
public final class Brook extends CommandGroup {

    /** Runs the command line with the given output streams; returns the exit status. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return execute(out, err, CommandLine.defaultFactory(), args);
    }

    /** As {@link #execute(PrintWriter, PrintWriter, String...)}, with the commands made by {@code factory}. */
    static int execute(PrintWriter out, PrintWriter err, CommandLine.IFactory factory, String... args) {
        CommandLine commandLine = new CommandLine(new Brook(), factory);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true); // --output json
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("Error: " + (e instanceof CliException || e.getMessage() != null ? e.getMessage() : e));
            return 1;
        });
        return commandLine.execute(args);
    }

    /**
     * Ratis's relocated gRPC and gRPC itself log through java.util.logging (an INFO line on stderr at
     * startup); JUL holds loggers weakly, so these references keep the levels set.
     */
    private static final java.util.logging.Logger[] QUIET_JUL = {
        java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc"),
        java.util.logging.Logger.getLogger("io.grpc")};

    public static void main(String[] args) {
        for (java.util.logging.Logger logger : QUIET_JUL) {
            logger.setLevel(java.util.logging.Level.WARNING);
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(out, err, args));
    }
}
