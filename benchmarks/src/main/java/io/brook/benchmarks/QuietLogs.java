package io.brook.benchmarks;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ratis's relocated gRPC and Netty log through java.util.logging (for example an INFO line about
 * epoll at startup); JUL keeps only weak references to loggers, so the levels are pinned here.
 */
final class QuietLogs {
    private static final List<Logger> PINNED = List.of(Logger.getLogger("org.apache.ratis.thirdparty.io.grpc"),
            Logger.getLogger("org.apache.ratis.thirdparty.io.netty"), Logger.getLogger("io.grpc"));

    private QuietLogs() {}

    static void apply() {
        PINNED.forEach(l -> l.setLevel(Level.WARNING));
    }
}
