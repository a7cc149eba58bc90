package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The refusals of `brook server start`: one clear line, exit status 1 (2 for usage). */
class ServerCommandTest extends CliTestSupport {


    private static final String CONTROLLER = "node.id=1\nprocess.roles=controller\n"
            + "listeners=CONTROLLER://127.0.0.1:0\ncontroller.quorum.voters=1@127.0.0.1:19093\n";

    @Test
    void anUnknownKeyIsOneLineNamingIt() throws IOException {
        Path file = config(CONTROLLER + "log.dirs=" + dir.resolve("d") + "\nnum.partition=3\n");
        assertEquals(1, brook("server", "start", "--config", file.toString()));
        assertTrue(err.toString().contains("num.partition"), err.toString());
        assertTrue(err.toString().contains("num.partitions"), "suggests the near key: " + err);
        assertEquals(1, err.toString().trim().lines().count(), err.toString());
    }

    @Test
    void unformattedStorageSaysWhatToRun() throws IOException {
        Path file = config(CONTROLLER + "log.dirs=" + dir.resolve("d") + "\n");
        assertEquals(1, brook("server", "start", "--config", file.toString()));
        assertTrue(err.toString().contains("brook storage format"), err.toString());
    }

    @Test
    void aMissingConfigOptionIsAUsageError() {
        assertEquals(2, brook("server", "start"));
    }
}
