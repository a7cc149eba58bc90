package io.brook.cli;

import io.brook.broker.NodeConfig;
import io.brook.metadata.ControllerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code brook config docs}: every configuration key with its type, default and meaning. */
@Command(name = "config", description = "Configuration reference.", mixinStandardHelpOptions = true,
        subcommands = {ConfigCommand.Docs.class})
final class ConfigCommand extends CommandGroup {

    @Command(name = "docs", mixinStandardHelpOptions = true,
            description = "Print every node and topic configuration key as Markdown tables.")
    static final class Docs implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            var out = spec.commandLine().getOut();
            out.println("## Node configuration (server.properties)");
            out.println();
            out.print(NodeConfig.DEFINITIONS.toMarkdown());
            out.println();
            out.println("## Topic configuration (per topic; brook topics configs)");
            out.println();
            out.print(NodeConfig.TOPIC_DEFINITIONS.plus(ControllerConfig.TOPIC_DEFINITIONS).toMarkdown());
            out.flush();
        }
    }
}
