package io.brook.metadata.internal.ratis;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigException;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Configuration keys of the controller quorum (the Ratis layer), with their defaults and the
 * parser for {@code controller.quorum.voters}.
 */
public final class QuorumConfig {
    private QuorumConfig() {}

    public static final ConfigKey<String> VOTERS = ConfigKey.stringKey("controller.quorum.voters")
            .validator(ConfigValidator.of(QuorumConfig::votersProblem, "id@host:port,id@host:port,..."))
            .doc("The controllers of the quorum as a comma-separated list of id@host:port, for example "
                    + "1@ctl1:9093,2@ctl2:9093,3@ctl3:9093. Every controller is configured with the same list. A "
                    + "controller that joins a running quorum is not in the list; it is added with addVoter.")
            .restartRequired().build();

    public static final ConfigKey<String> LISTEN_ADDRESS = ConfigKey.stringKey("controller.quorum.listen.address")
            .defaultValue(null)
            .doc("host:port this controller's Raft server listens on. Defaults to this node's entry in "
                    + "controller.quorum.voters; required for a controller joining a running quorum.")
            .restartRequired().build();

    public static final ConfigKey<Integer> ELECTION_TIMEOUT_MS =
            ConfigKey.intKey("controller.quorum.election.timeout.ms").defaultValue(300)
                    .validator(ConfigValidator.atLeast(100))
                    .doc("A follower that hears nothing from the leader for a random time between this value and "
                            + "twice it starts an election. Measured on 2 cores (BENCHMARKS.md), kill -9 of the leader "
                            + "to the first committed write: median 0.9 s at 300, 1.4 s at 500, 2.6 s at 1000 "
                            + "(Kafka's value). Raise it on hosts with long GC pauses or CPU starvation, where short "
                            + "timeouts cause needless elections (Ratis pre-vote limits the damage).")
                    .restartRequired().build();

    public static final ConfigKey<Long> SNAPSHOT_INTERVAL_RECORDS =
            ConfigKey.longKey("metadata.snapshot.interval.records").defaultValue(20_000L)
                    .validator(ConfigValidator.atLeast(1L))
                    .doc("Each controller snapshots its metadata image after this many committed records since "
                            + "its last snapshot; the Raft log behind the snapshot is then purged, and a controller "
                            + "that is too far behind receives the snapshot.")
                    .build();

    public static final ConfigKey<Long> SNAPSHOT_INTERVAL_BYTES =
            ConfigKey.longKey("metadata.log.max.record.bytes.between.snapshots").defaultValue(20L * 1024 * 1024)
                    .validator(ConfigValidator.atLeast(1L))
                    .doc("Each controller also snapshots after this many bytes of committed metadata batches since "
                            + "its last snapshot (Kafka's key), whichever of the two intervals comes first.")
                    .build();

    public static final ConfigKey<Integer> LOG_SEGMENT_BYTES = ConfigKey.intKey("metadata.log.segment.bytes")
            .defaultValue(1024 * 1024).validator(ConfigValidator.atLeast(16 * 1024))
            .doc("Size of one Raft log segment. Only whole closed segments are purged after a snapshot, so a "
                    + "segment should hold well under one snapshot interval of records.")
            .restartRequired().build();

    /** Every key above. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(VOTERS, LISTEN_ADDRESS,
            ELECTION_TIMEOUT_MS, SNAPSHOT_INTERVAL_RECORDS, SNAPSHOT_INTERVAL_BYTES, LOG_SEGMENT_BYTES);

    /**
     * Parses {@code controller.quorum.voters}: {@code id@host:port} entries separated by commas.
     *
     * @throws ConfigException naming {@code controller.quorum.voters} and the offending entry
     */
    public static List<QuorumVoter> parseVoters(String text) {
        List<QuorumVoter> voters = new ArrayList<>();
        String problem = parse(text, voters);
        if (problem != null) {
            throw new ConfigException(VOTERS.name(), "Invalid value '" + text + "' for configuration "
                    + VOTERS.name() + ": " + problem + ".");
        }
        return List.copyOf(voters);
    }

    /**
     * Parses one {@code host:port} address.
     *
     * @throws ConfigException naming {@code key}
     */
    public static QuorumVoter parseAddress(String key, int id, String text) {
        List<QuorumVoter> out = new ArrayList<>();
        String problem = parseHostPort(id, text, out);
        if (problem != null) {
            throw new ConfigException(key, "Invalid value '" + text + "' for configuration " + key + ": "
                    + problem + ".");
        }
        return out.get(0);
    }

    private static String votersProblem(String text) {
        return parse(text, new ArrayList<>());
    }

    private static String parse(String text, List<QuorumVoter> out) {
        if (text == null || text.isBlank()) {
            return "expected at least one voter as id@host:port";
        }
        Set<Integer> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                return "empty entry (two commas in a row, or a comma at an end)";
            }
            int at = entry.indexOf('@');
            if (at <= 0) {
                return "entry '" + entry + "' is not id@host:port";
            }
            int id;
            try {
                id = Integer.parseInt(entry.substring(0, at));
            } catch (NumberFormatException e) {
                return "entry '" + entry + "' has a node id that is not an integer";
            }
            if (id < 0) {
                return "entry '" + entry + "' has a negative node id";
            }
            String problem = parseHostPort(id, entry.substring(at + 1), out);
            if (problem != null) {
                return "entry '" + entry + "': " + problem;
            }
            if (!ids.add(id)) {
                return "node id " + id + " appears twice";
            }
            if (!addresses.add(out.get(out.size() - 1).address())) {
                return "address " + out.get(out.size() - 1).address() + " appears twice";
            }
        }
        return null;
    }

    private static String parseHostPort(int id, String hostPort, List<QuorumVoter> out) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            return "expected host:port";
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isBlank()) {
            return "empty host";
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return "port '" + hostPort.substring(colon + 1) + "' is not a number";
        }
        if (port < 1 || port > 65535) {
            return "port " + port + " is outside 1..65535";
        }
        out.add(new QuorumVoter(id, host, port));
        return null;
    }
}
