package io.brook.cli;

import io.brook.broker.NodeConfig;
import io.brook.client.AdminConfig;
import io.brook.client.ConsumerConfig;
import io.brook.client.ProducerConfig;
import io.brook.common.ConfigDefinitions;
import io.brook.metadata.ControllerConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code brook config docs}: every configuration key with its type, default and meaning. */
@Command(name = "config", description = "Configuration reference.", mixinStandardHelpOptions = true,
        subcommands = {ConfigCommand.Docs.class})
final class ConfigCommand extends CommandGroup {

    @Command(name = "docs", mixinStandardHelpOptions = true,
            description = "Print every node, topic and client (producer, consumer, admin) configuration key as "
                    + "Markdown tables.")
    static final class Docs implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            section(out, "Node configuration (server.properties)", NodeConfig.DEFINITIONS);
            section(out, "Topic configuration (per topic; brook topics configs)",
                    NodeConfig.TOPIC_DEFINITIONS.plus(ControllerConfig.TOPIC_DEFINITIONS));
            section(out, "Producer configuration", ProducerConfig.DEFINITIONS);
            section(out, "Consumer configuration", ConsumerConfig.DEFINITIONS);
            section(out, "Admin configuration", AdminConfig.DEFINITIONS);
            out.flush();
        }

        /** A heading and its table, each followed by a blank line. */
        private static void section(PrintWriter out, String title, ConfigDefinitions definitions) {
            out.println("## " + title);
            out.println();
            out.print(definitions.toMarkdown());
            out.println();
        }
    }
}
