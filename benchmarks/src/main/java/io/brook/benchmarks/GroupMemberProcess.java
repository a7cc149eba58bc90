package io.brook.benchmarks;

import io.brook.client.BrookConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One group member as its own process, for {@link RebalanceBenchmark}: subscribes and polls until
 * killed. Arguments: bootstrap servers, group, topic, session.timeout.ms.
 */
public final class GroupMemberProcess {
    private GroupMemberProcess() {}

    public static void main(String[] args) {
        QuietLogs.apply();
        try (BrookConsumer consumer = new BrookConsumer(Map.of("bootstrap.servers", args[0], "group.id", args[1],
                "session.timeout.ms", args[3], "auto.offset.reset", "earliest"))) {
            consumer.subscribe(List.of(args[2]));
            System.out.println("member started");
            while (true) {
                consumer.poll(Duration.ofMillis(100));
            }
        }
    }
}
