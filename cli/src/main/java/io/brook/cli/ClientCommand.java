package io.brook.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to the cluster: the {@link ClientOptions} and where it prints. */
abstract class ClientCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
