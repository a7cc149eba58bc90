package io.brook.cli;

import picocli.CommandLine;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: run alone, it is a usage error (exit status 2). */
abstract class CommandGroup implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: "
                + String.join(" or ", spec.subcommands().keySet()));
    }
}
