package io.brook.cli;

import io.brook.client.AlterConfigOp;
import io.brook.client.ConfigEntry;
import io.brook.client.ConfigResource;
import io.brook.client.CreatedTopic;
import io.brook.client.TopicExistsException;
import io.brook.client.NewTopic;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicDescription;
import io.brook.client.TopicListing;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brook topics}: create, list, describe, grow, configure and delete topics, as Kafka's
 * {@code kafka-topics.sh} (and {@code kafka-configs.sh} for topic configs) do, through
 * {@link io.brook.client.BrookAdmin}. Topic ids print as Kafka prints them: 22 characters of
 * URL-safe Base64.
 */
@Command(name = "topics", description = "Create, list, describe, alter and delete topics.",
        mixinStandardHelpOptions = true,
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
                TopicsCommand.Alter.class, TopicsCommand.Configs.class, TopicsCommand.Delete.class})
final class TopicsCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a topic.",
                    "Prints `Created topic TOPIC.`; json: {name, topicId, partitions, replicationFactor}."})
    static final class Create extends TopicCommand {
        @Option(names = "--partitions", paramLabel = "N",
                description = "Number of partitions (default: the cluster's num.partitions).")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "Replicas of each partition (default: the cluster's default.replication.factor).")
        Integer replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE",
                description = "A topic config, for example retention.ms=86400000; repeatable.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Option(names = "--if-not-exists", description = "Succeed without a change when the topic exists already.")
        boolean ifNotExists;

        @Override
        public void run() {
            NewTopic newTopic = new NewTopic(topic, partitions == null ? NewTopic.BROKER_DEFAULT : partitions,
                    replicationFactor == null ? NewTopic.BROKER_DEFAULT : replicationFactor, configs);
            CreatedTopic created = client.withAdmin(admin -> {
                try {
                    return admin.createTopics(List.of(newTopic)).get(0);
                } catch (TopicExistsException e) {
                    if (ifNotExists) {
                        return null;
                    }
                    throw e;
                }
            });
            PrintWriter out = out();
            if (created == null) {
                out.println(client.json() ? Json.write(Json.object("name", topic, "existed", true))
                        : "Topic " + topic + " exists already.");
                return;
            }
            if (client.json()) {
                out.println(Json.write(Json.object("name", created.name(), "topicId", topicId(created.topicId()),
                        "partitions", created.partitions(), "replicationFactor", created.replicationFactor())));
            } else {
                out.println("Created topic " + created.name() + ".");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List topics.", "One name per line; json: an array of {name, topicId, partitions, internal}."})
    static final class ListTopics extends ClientCommand {
        @Option(names = "--exclude-internal", description = "Leave out the cluster's own topics (names starting with __).")
        boolean excludeInternal;

        @Override
        public void run() {
            List<TopicListing> topics = client.withAdmin(admin -> admin.listTopics(!excludeInternal));
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(topics.stream().map(t -> Json.object("name", t.name(), "topicId",
                        topicId(t.topicId()), "partitions", t.partitions(), "internal", t.internal())).toList()));
            } else {
                topics.forEach(t -> out.println(t.name()));
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = {"Describe a topic, or every topic.",
                    "Its id, partition count, replication factor and own configs, then per partition its leader, replicas, in-sync replicas (ISR), replicas on "
                    + "brokers that are down, and a status: ok, under-replicated (ISR smaller than the replicas) "
                    + "or offline (no leader).",
                    "json: an array of {name, topicId, internal, partitionCount, replicationFactor, configs, "
                            + "partitions: [{partition, leader (null: none), leaderEpoch, replicas, isr, "
                            + "offlineReplicas, status}]}."})
    static final class Describe extends ClientCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC", description = "The topic (default: every topic).")
        String topic;

        @Override
        public void run() {
            Map<String, TopicDescription> topics = client.withAdmin(admin ->
                    admin.describeTopics(topic == null ? List.of() : List.of(topic)));
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(topics.values().stream().map(Describe::json).toList()));
                return;
            }
            boolean first = true;
            for (TopicDescription description : topics.values()) {
                if (!first) {
                    out.println();
                }
                first = false;
                String configs = new TreeMap<>(description.configs()).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
                out.println(("Topic: " + description.name() + "  TopicId: " + topicId(description.topicId())
                        + "  PartitionCount: " + description.partitions().size() + "  ReplicationFactor: "
                        + replicationFactor(description) + "  Configs: " + configs).stripTrailing());
                Table partitions = new Table("PARTITION", "LEADER", "REPLICAS", "ISR", "OFFLINE", "STATUS");
                for (PartitionInfo p : description.partitions()) {
                    partitions.row(p.partition(), p.offline() ? "none" : p.leader(), ids(p.replicas()), ids(p.isr()),
                            ids(p.offlineReplicas()), status(p));
                }
                partitions.print(out, "  ");
            }
        }

        private static Map<String, Object> json(TopicDescription description) {
            List<Object> partitions = new ArrayList<>();
            for (PartitionInfo p : description.partitions()) {
                partitions.add(Json.object("partition", p.partition(), "leader", p.offline() ? null : p.leader(),
                        "leaderEpoch", p.leaderEpoch(), "replicas", p.replicas(), "isr", p.isr(),
                        "offlineReplicas", p.offlineReplicas(), "status", status(p)));
            }
            return Json.object("name", description.name(), "topicId", topicId(description.topicId()),
                    "internal", description.internal(), "partitionCount", description.partitions().size(),
                    "replicationFactor", replicationFactor(description), "configs", new TreeMap<>(description.configs()),
                    "partitions", partitions);
        }

        private static int replicationFactor(TopicDescription description) {
            return description.partitions().isEmpty() ? 0 : description.partitions().get(0).replicas().size();
        }

        private static String status(PartitionInfo p) {
            return p.offline() ? "offline" : p.underReplicated() ? "under-replicated" : "ok";
        }

        private static String ids(List<Integer> ids) {
            return ids.isEmpty() ? "-" : ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }

    @Command(name = "alter", mixinStandardHelpOptions = true,
            description = {"Grow a topic to more partitions.",
                    "Existing partitions keep their data; keys may map to other partitions from now on. Prints "
                            + "`Topic TOPIC now has N partitions.`; json: {name, partitions}."})
    static final class Alter extends TopicCommand {
        @Option(names = "--partitions", paramLabel = "N", required = true,
                description = "The new total number of partitions; larger than the current one.")
        int partitions;

        @Override
        public void run() {
            client.withAdmin(admin -> {
                admin.createPartitions(Map.of(topic, partitions));
                return null;
            });
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(Json.object("name", topic, "partitions", partitions)));
            } else {
                out.println("Topic " + topic + " now has " + partitions + " partitions.");
            }
        }
    }

    @Command(name = "configs", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Show or change a topic's configs.", "Every key with its value and where the value comes from "
                    + "(topic: set on the topic; default). With --set or --delete, change them first (all or "
                    + "nothing) and show the result.",
                    "json: an array of {name, value (null: none), source, readOnly}."})
    static final class Configs extends TopicCommand {
        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set a config on the topic; repeatable.")
        Map<String, String> set = new LinkedHashMap<>();

        @Option(names = "--delete", paramLabel = "KEY",
                description = "Remove the topic's own value, so the default applies; repeatable.")
        List<String> delete = new ArrayList<>();

        @Override
        public void run() {
            ConfigResource resource = ConfigResource.topic(topic);
            List<AlterConfigOp> ops = new ArrayList<>();
            set.forEach((key, value) -> ops.add(AlterConfigOp.set(key, value)));
            delete.forEach(key -> ops.add(AlterConfigOp.delete(key)));
            List<ConfigEntry> entries = client.withAdmin(admin -> {
                if (!ops.isEmpty()) {
                    admin.incrementalAlterConfigs(resource, ops);
                }
                return admin.describeConfigs(resource);
            });
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(entries.stream().map(e -> Json.object("name", e.name(), "value", e.value(),
                        "source", e.source().name(), "readOnly", e.readOnly())).toList()));
                return;
            }
            if (!ops.isEmpty()) {
                out.println("Altered the configs of topic " + topic + ".");
            }
            Table table = new Table("NAME", "VALUE", "SOURCE");
            for (ConfigEntry entry : entries) {
                table.row(entry.name(), entry.value().orElse("-"), switch (entry.source()) {
                    case DYNAMIC -> "topic";
                    case DEFAULT -> "default";
                    default -> entry.source().name().toLowerCase().replace('_', ' ');
                });
            }
            table.print(out, "");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a topic and its data.", "Prints `Deleted topic TOPIC.`; json: {name}."})
    static final class Delete extends TopicCommand {
        @Override
        public void run() {
            client.withAdmin(admin -> {
                admin.deleteTopics(List.of(topic));
                return null;
            });
            out().println(client.json() ? Json.write(Json.object("name", topic)) : "Deleted topic " + topic + ".");
        }
    }

    /** A command about one topic, named by its first parameter. */
    abstract static class TopicCommand extends ClientCommand {
        @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
        String topic;
    }

    /** A topic id as Kafka prints one: its 16 bytes in URL-safe Base64 without padding. */
    static String topicId(UUID id) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
