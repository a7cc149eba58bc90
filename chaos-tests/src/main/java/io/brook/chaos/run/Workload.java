package io.brook.chaos.run;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What the clients of a chaos run do. The queue workload's producers run in every run. */
public enum Workload {
    /** Producers (acks=all, idempotent) sending unique values to a replicated topic; a full read at the end. */
    QUEUE,
    /** Consumers in one group polling the queue topic and committing what they polled; committed offsets sampled. */
    GROUP,
    /** An admin client creating and deleting topics; the topics listed at the end. */
    METADATA;

    /**
     * Parses a comma-separated list such as {@code queue,group} or {@code all}.
     *
     * @throws IllegalArgumentException naming an unknown workload
     */
    public static Set<Workload> parse(String text) {
        Set<Workload> workloads = EnumSet.of(QUEUE);
        for (String name : text.split(",")) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.equals("all")) {
                return EnumSet.allOf(Workload.class);
            }
            try {
                workloads.add(valueOf(n.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown workload '" + name.trim()
                        + "': expected queue, group, metadata or all (comma-separated).");
            }
        }
        return workloads;
    }

    /** The lower-case name, as on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
