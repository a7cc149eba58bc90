package io.brook.cli;

import io.brook.client.BrookAdmin;
import io.brook.client.BrookException;
import io.brook.client.GroupDescription;
import io.brook.client.GroupListing;
import io.brook.client.ListOffsetsResultInfo;
import io.brook.client.MemberDescription;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.OffsetSpec;
import io.brook.client.PartitionInfo;
import io.brook.client.PartitionLag;
import io.brook.client.TopicDescription;
import io.brook.client.TopicPartition;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brook groups}: list, describe, reset the offsets of and delete consumer groups, as Kafka's
 * {@code kafka-consumer-groups.sh} does (its flag names, columns and messages where they fit),
 * through {@link BrookAdmin}. Resetting offsets computes the new offsets here (from ListOffsets at
 * the leaders, see {@link #plan}) and commits them as no member, which the coordinator accepts
 * only while the group has no members.
 */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = {"List, describe, reset the offsets of and delete consumer groups.",
                "A group's coordinator (a broker) keeps its members, their assignments and its committed offsets. "
                        + "The lag of a partition is its log end offset (the high watermark) minus the group's "
                        + "committed offset. Offsets can be reset, and a group deleted, only while the group has "
                        + "no members: stop its consumers first."},
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.ResetOffsets.class,
                GroupsCommand.Delete.class})
final class GroupsCommand extends CommandGroup {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the consumer groups.",
                    "Every broker is asked for the groups it coordinates. Table: GROUP STATE, sorted by group (states: "
                            + "Empty, Assigning, Reconciling, Stable); json: an array of {groupId, state, type, "
                            + "coordinatorId}."})
    static final class ListGroups extends ClientCommand {
        @Override
        public void run() {
            List<GroupListing> groups = client.withAdmin(BrookAdmin::listGroups);
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(groups.stream().map(g -> Json.object("groupId", g.groupId(), "state",
                        g.state().toString(), "type", g.type(), "coordinatorId", g.coordinatorId())).toList()));
                return;
            }
            Table table = new Table("GROUP", "STATE");
            groups.forEach(g -> table.row(g.groupId(), g.state()));
            table.print(out, "");
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Describe consumer groups: offsets and lag (default), members, or state.",
                    "Offsets: per partition the group has an offset for or a member owns: GROUP TOPIC PARTITION "
                            + "CURRENT-OFFSET (committed; - when none) LOG-END-OFFSET (the high watermark) LAG "
                            + "(log end - committed; when nothing is committed, log end - log start: the whole log "
                            + "is unread) CONSUMER-ID HOST CLIENT-ID (of the member owning it; - when none), then a "
                            + "row per member that owns no partition.",
                    "--members: GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT (what it owns now); "
                            + "--verbose adds GROUP-INSTANCE-ID, EPOCH and TARGET-ASSIGNMENT (what the assignor "
                            + "decided; equal to ASSIGNMENT once the member has reconciled).",
                    "--state: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE GROUP-EPOCH ASSIGNMENT-EPOCH #MEMBERS.",
                    "json (whichever view): an array of {groupId, state, groupEpoch, assignmentEpoch, coordinatorId, "
                            + "coordinatorAddress, assignor, members: [{memberId, instanceId, clientId, clientHost, "
                            + "memberEpoch, subscribedTopics, subscribedRegex, assignment: [{topic, partition}], "
                            + "targetAssignment}], partitions: [{topic, partition, committedOffset, logEndOffset, lag, "
                            + "memberId}]} (null where none).",
                    "A group that does not exist is an error."})
    static final class Describe extends GroupsArgument {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        View view;

        @Option(names = "--verbose", description = "With --members: also instance id, epoch and target assignment.")
        boolean verbose;

        static final class View {
            @Option(names = "--offsets", description = "Committed offsets and lag per partition (the default).")
            boolean offsets;

            @Option(names = "--members", description = "The members and their assignments.")
            boolean members;

            @Option(names = "--state", description = "State, epochs, coordinator and member count.")
            boolean state;
        }

        @Override
        public void run() {
            List<String> groups = groups();
            Map<String, GroupDescription> described = client.withAdmin(admin -> admin.describeGroups(groups));
            for (GroupDescription group : described.values()) {
                if (!group.exists()) {
                    throw new CliException("Consumer group '" + group.groupId() + "' does not exist.");
                }
            }
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(described.values().stream().map(Describe::json).toList()));
                return;
            }
            boolean first = true;
            for (GroupDescription group : described.values()) {
                if (!first) {
                    out.println();
                }
                first = false;
                if (view != null && view.state) {
                    state(group).print(out, "");
                    continue;
                }
                if (group.members().isEmpty()) {
                    out.println("Consumer group '" + group.groupId() + "' has no active members.");
                }
                (view != null && view.members ? members(group, verbose) : offsets(group)).print(out, "");
            }
        }

        private static Table offsets(GroupDescription group) {
            Table table = new Table("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                    "CONSUMER-ID", "HOST", "CLIENT-ID");
            Map<String, MemberDescription> members = new LinkedHashMap<>();
            group.members().forEach(m -> members.put(m.memberId(), m));
            Set<String> owning = new LinkedHashSet<>();
            for (PartitionLag p : group.partitions()) {
                Optional<MemberDescription> member = p.memberId().map(members::get);
                p.memberId().ifPresent(owning::add);
                table.row(group.groupId(), p.partition().topic(), p.partition().partition(), dash(p.committedOffset()),
                        dash(p.logEndOffset()), dash(p.lag()), p.memberId().orElse("-"),
                        dash(member.map(MemberDescription::clientHost)), dash(member.map(MemberDescription::clientId)));
            }
            for (MemberDescription member : group.members()) {
                if (!owning.contains(member.memberId())) {
                    table.row(group.groupId(), "-", "-", "-", "-", "-", member.memberId(),
                            dash(Optional.of(member.clientHost())), dash(Optional.of(member.clientId())));
                }
            }
            return table;
        }

        private static Table members(GroupDescription group, boolean verbose) {
            Table table = verbose
                    ? new Table("GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "EPOCH",
                            "#PARTITIONS", "ASSIGNMENT", "TARGET-ASSIGNMENT")
                    : new Table("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT");
            for (MemberDescription m : group.members()) {
                String host = dash(Optional.of(m.clientHost()));
                String clientId = dash(Optional.of(m.clientId()));
                if (verbose) {
                    table.row(group.groupId(), m.memberId(), m.instanceId().orElse("-"), host, clientId,
                            m.memberEpoch(), m.assignment().size(), assignment(m.assignment()),
                            assignment(m.targetAssignment()));
                } else {
                    table.row(group.groupId(), m.memberId(), host, clientId, m.assignment().size(),
                            assignment(m.assignment()));
                }
            }
            return table;
        }

        private static Table state(GroupDescription group) {
            return new Table("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "GROUP-EPOCH",
                    "ASSIGNMENT-EPOCH", "#MEMBERS").row(group.groupId(),
                    group.coordinatorAddress() + " (" + group.coordinatorId() + ")", dash(Optional.of(group.assignor())),
                    group.state(), group.groupEpoch(), group.assignmentEpoch(), group.members().size());
        }

        /** Partitions as Kafka's tool prints an assignment: {@code orders(0,1),payments(2)}; - when none. */
        static String assignment(Set<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return "-";
            }
            Map<String, List<Integer>> byTopic = new TreeMap<>();
            new TreeSet<>(partitions).forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                    .add(tp.partition()));
            return byTopic.entrySet().stream().map(e -> e.getKey() + e.getValue().stream().map(String::valueOf)
                    .collect(Collectors.joining(",", "(", ")"))).collect(Collectors.joining(","));
        }

        private static Map<String, Object> json(GroupDescription group) {
            return Json.object("groupId", group.groupId(), "state", group.state().toString(), "groupEpoch",
                    group.groupEpoch(), "assignmentEpoch", group.assignmentEpoch(), "coordinatorId",
                    group.coordinatorId(), "coordinatorAddress", group.coordinatorAddress(), "assignor", group.assignor(),
                    "members", group.members().stream().map(m -> Json.object("memberId", m.memberId(), "instanceId",
                            m.instanceId(), "clientId", m.clientId(), "clientHost", m.clientHost(), "memberEpoch",
                            m.memberEpoch(), "subscribedTopics", m.subscribedTopics(), "subscribedRegex",
                            m.subscribedRegex(), "assignment", partitions(m.assignment()), "targetAssignment",
                            partitions(m.targetAssignment()))).toList(),
                    "partitions", group.partitions().stream().map(p -> Json.object("topic", p.partition().topic(),
                            "partition", p.partition().partition(), "committedOffset", boxed(p.committedOffset()),
                            "logEndOffset", boxed(p.logEndOffset()), "lag", boxed(p.lag()), "memberId", p.memberId()))
                            .toList());
        }

        private static List<Object> partitions(Set<TopicPartition> partitions) {
            return partitions.stream().map(tp -> (Object) Json.object("topic", tp.topic(), "partition", tp.partition()))
                    .toList();
        }
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Reset the committed offsets of a consumer group that has no members.",
                    "For the partitions of each --topic (all of them, or the ones listed), or with --all-topics the "
                            + "partitions the group has committed offsets for, computes the new offset: the log start "
                            + "(--to-earliest), the log end (--to-latest), OFFSET moved into [log start, log end] "
                            + "(--to-offset, with a warning when moved), or the first offset whose record timestamp is "
                            + "at or after the time, the log end when there is none (--to-datetime).",
                    "Prints the plan: GROUP TOPIC PARTITION NEW-OFFSET. Without --execute this is a dry run and "
                            + "nothing changes; with --execute the offsets are committed, which the group's "
                            + "coordinator accepts only while the group has no members (stop its consumers first). "
                            + "Other partitions keep their offsets.",
                    "json: {groupId, executed, partitions: [{topic, partition, newOffset}]}."})
    static final class ResetOffsets extends GroupsArgument {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,P...]", converter = TopicSpecConverter.class,
                description = "A topic, or some of its partitions (orders:0,2); repeatable.")
        List<TopicSpec> topics = new ArrayList<>();

        @Option(names = "--all-topics", description = "Every partition the group has a committed offset for.")
        boolean allTopics;

        @ArgGroup(exclusive = true, multiplicity = "1")
        To to;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Mode mode;

        static final class To {
            @Option(names = "--to-earliest", required = true, description = "The earliest offset (the log start).")
            boolean earliest;

            @Option(names = "--to-latest", required = true, description = "The latest offset (the log end).")
            boolean latest;

            @Option(names = "--to-offset", required = true, paramLabel = "OFFSET",
                    description = "This offset, moved into [log start, log end].")
            Long offset;

            @Option(names = "--to-datetime", required = true, paramLabel = "YYYY-MM-DDTHH:mm:SS.sss",
                    converter = DateTimeConverter.class,
                    description = "The first offset at or after this time (optionally followed by Z or ±hh:mm; "
                            + "without, the local time zone).")
            Long datetime;

            ResetTarget target() {
                if (earliest) {
                    return new ResetTarget.Earliest();
                }
                if (latest) {
                    return new ResetTarget.Latest();
                }
                return offset != null ? new ResetTarget.ToOffset(offset) : new ResetTarget.ToDatetime(datetime);
            }
        }

        static final class Mode {
            @Option(names = "--dry-run", required = true, description = "Only print the plan (the default).")
            boolean dryRun;

            @Option(names = "--execute", required = true, description = "Commit the new offsets.")
            boolean execute;
        }

        @Override
        public void run() {
            List<String> groups = groups();
            if (groups.size() != 1) {
                throw usage("reset-offsets takes one group, not " + groups.size() + ".");
            }
            String group = groups.get(0);
            if (topics.isEmpty() == !allTopics) {
                throw usage(allTopics ? "--topic and --all-topics cannot be combined." : "Missing --topic or --all-topics.");
            }
            ResetTarget target = to.target();
            if (target instanceof ResetTarget.ToOffset o && o.offset() < 0) {
                throw usage("--to-offset must be at least 0, not " + o.offset() + ".");
            }
            boolean execute = mode != null && mode.execute;
            List<PlannedOffset> plan = client.withAdmin(admin -> {
                List<PlannedOffset> planned = plan(admin, group, target);
                if (execute) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>();
                    planned.forEach(p -> offsets.put(p.partition(), new OffsetAndMetadata(p.offset())));
                    admin.alterGroupOffsets(group, offsets);
                }
                return planned;
            });
            PrintWriter err = spec.commandLine().getErr();
            plan.forEach(p -> p.warning().ifPresent(w -> err.println("Warning: " + w)));
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(Json.object("groupId", group, "executed", execute, "partitions",
                        plan.stream().map(p -> Json.object("topic", p.partition().topic(), "partition",
                                p.partition().partition(), "newOffset", p.offset())).toList())));
            } else {
                Table table = new Table("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
                plan.forEach(p -> table.row(group, p.partition().topic(), p.partition().partition(), p.offset()));
                table.print(out, "");
            }
            if (mode == null) {
                err.println("Dry run: no offsets were changed. Add --execute to commit them.");
            }
        }

        private List<PlannedOffset> plan(BrookAdmin admin, String group, ResetTarget target) {
            Set<TopicPartition> partitions = partitions(admin, group);
            Map<TopicPartition, ListOffsetsResultInfo> logStart = admin.listOffsets(specs(partitions,
                    OffsetSpec.earliest()));
            Map<TopicPartition, ListOffsetsResultInfo> logEnd = admin.listOffsets(specs(partitions, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> byTime = target instanceof ResetTarget.ToDatetime d
                    ? admin.listOffsets(specs(partitions, OffsetSpec.forTimestamp(d.timestampMs()))) : Map.of();
            List<PlannedOffset> planned = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                planned.add(GroupsCommand.plan(target, tp, logStart.get(tp).offset(), logEnd.get(tp).offset(),
                        byTime.containsKey(tp) ? byTime.get(tp).offset() : -1));
            }
            return planned;
        }

        private Set<TopicPartition> partitions(BrookAdmin admin, String group) {
            Set<TopicPartition> partitions = new TreeSet<>();
            if (allTopics) {
                partitions.addAll(admin.listGroupOffsets(group).keySet());
                if (partitions.isEmpty()) {
                    throw new CliException("Consumer group '" + group + "' has no committed offsets: name the topics "
                            + "to reset with --topic.");
                }
                return partitions;
            }
            Set<String> whole = new TreeSet<>();
            for (TopicSpec topic : topics) {
                if (topic.partitions().isEmpty()) {
                    whole.add(topic.topic());
                } else {
                    topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.topic(), p)));
                }
            }
            if (!whole.isEmpty()) {
                for (TopicDescription description : admin.describeTopics(whole).values()) {
                    for (PartitionInfo p : description.partitions()) {
                        partitions.add(new TopicPartition(description.name(), p.partition()));
                    }
                }
            }
            return partitions;
        }

        private static Map<TopicPartition, OffsetSpec> specs(Set<TopicPartition> partitions, OffsetSpec spec) {
            Map<TopicPartition, OffsetSpec> specs = new TreeMap<>();
            partitions.forEach(tp -> specs.put(tp, spec));
            return specs;
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete consumer groups with their committed offsets.",
                    "Only a group without members can be deleted: stop its consumers first. Prints `Deletion of "
                            + "requested consumer groups ('G') was successful.`; json: {deleted: [G, ...]}. When "
                            + "some groups cannot be deleted, the others still are: the line names the ones deleted, "
                            + "and the error (exit status 1) the ones that were not, with the reason."})
    static final class Delete extends GroupsArgument {
        @Override
        public void run() {
            List<String> groups = groups();
            List<String> deleted = new ArrayList<>();
            List<String> failures = client.withAdmin(admin -> {
                List<String> failed = new ArrayList<>();
                for (String group : groups) { // one at a time, so that each group's outcome is known
                    try {
                        admin.deleteGroups(List.of(group));
                        deleted.add(group);
                    } catch (BrookException e) {
                        if (e.retriable() || e.indeterminate()) { // not about this group: the cluster did not answer
                            throw new CliException(e.getMessage() + (deleted.isEmpty() ? "" : " Deleted before that: "
                                    + deleted.stream().map(g -> "'" + g + "'").collect(Collectors.joining(", ")) + "."));
                        }
                        failed.add(e.getMessage());
                    }
                }
                return failed;
            });
            if (!deleted.isEmpty() || failures.isEmpty()) {
                out().println(client.json() ? Json.write(Json.object("deleted", deleted))
                        : "Deletion of requested consumer groups (" + deleted.stream().map(g -> "'" + g + "'")
                                .collect(Collectors.joining(", ")) + ") was successful.");
            }
            if (!failures.isEmpty()) {
                throw new CliException(String.join(" ", failures));
            }
        }
    }

    /** A command about groups named by its parameters or, as Kafka's tool takes them, by {@code --group}. */
    abstract static class GroupsArgument extends ClientCommand {
        @Parameters(arity = "0..*", paramLabel = "GROUP", description = "A group id.")
        List<String> positional = new ArrayList<>();

        @Option(names = "--group", paramLabel = "GROUP", description = "A group id, as Kafka's tool takes it; repeatable.")
        List<String> flagged = new ArrayList<>();

        /** The groups named, each once, in the order given; a usage error when none is. */
        List<String> groups() {
            Set<String> groups = new LinkedHashSet<>(positional);
            groups.addAll(flagged);
            if (groups.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: GROUP");
            }
            return List.copyOf(groups);
        }
    }

    // ------------------------------------------------------------------------ reset-offset plans

    /** Where {@code reset-offsets} moves a partition's committed offset. */
    sealed interface ResetTarget {
        record Earliest() implements ResetTarget {}

        record Latest() implements ResetTarget {}

        record ToOffset(long offset) implements ResetTarget {}

        /** @param timestampMs ms since the epoch, at least 0 */
        record ToDatetime(long timestampMs) implements ResetTarget {}
    }

    /** One partition's new committed offset, and why it is not the one asked for (--to-offset out of range). */
    record PlannedOffset(TopicPartition partition, long offset, Optional<String> warning) {}

    /**
     * The new offset of {@code partition} for {@code target}, as Kafka's tool computes it: the log
     * start, the log end, the asked offset moved into [log start, log end], or the offset found for
     * a time ({@code offsetForTime}, -1 when no record is at or after it: then the log end).
     */
    static PlannedOffset plan(ResetTarget target, TopicPartition partition, long logStart, long logEnd,
            long offsetForTime) {
        if (target instanceof ResetTarget.Earliest) {
            return new PlannedOffset(partition, logStart, Optional.empty());
        }
        if (target instanceof ResetTarget.Latest) {
            return new PlannedOffset(partition, logEnd, Optional.empty());
        }
        if (target instanceof ResetTarget.ToDatetime) {
            return new PlannedOffset(partition, offsetForTime < 0 ? logEnd : offsetForTime, Optional.empty());
        }
        long offset = ((ResetTarget.ToOffset) target).offset();
        if (offset < logStart) {
            return new PlannedOffset(partition, logStart, Optional.of("New offset (" + offset
                    + ") is lower than the earliest offset of " + partition + " (" + logStart + "); using " + logStart
                    + "."));
        }
        if (offset > logEnd) {
            return new PlannedOffset(partition, logEnd, Optional.of("New offset (" + offset
                    + ") is higher than the latest offset of " + partition + " (" + logEnd + "); using " + logEnd + "."));
        }
        return new PlannedOffset(partition, offset, Optional.empty());
    }

    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendPattern(".SSS").optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);

    /**
     * {@code YYYY-MM-DDTHH:mm:SS.sss} (the milliseconds optional), optionally followed by {@code Z}
     * or {@code ±hh:mm}, as Kafka's tool reads {@code --to-datetime}: ms since the epoch; without an
     * offset the time is in {@code zone}. A time before 1970 is 0 (every record is at or after it).
     *
     * @throws IllegalArgumentException naming the expected form
     */
    static long parseDateTime(String text, ZoneId zone) {
        TemporalAccessor parsed;
        try {
            parsed = DATE_TIME.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a date and time: expected YYYY-MM-DDTHH:mm:SS.sss, "
                    + "optionally followed by Z or ±hh:mm.");
        }
        long ms = parsed instanceof OffsetDateTime at ? at.toInstant().toEpochMilli()
                : ((LocalDateTime) parsed).atZone(zone).toInstant().toEpochMilli();
        return Math.max(0, ms);
    }

    /** {@code --to-datetime} in the local time zone. */
    static final class DateTimeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseDateTime(value, ZoneId.systemDefault());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A {@code --topic}: a topic, and the partitions listed after a colon (none: every partition). */
    record TopicSpec(String topic, List<Integer> partitions) {
        static TopicSpec parse(String text) {
            int colon = text.indexOf(':');
            String topic = colon < 0 ? text : text.substring(0, colon);
            if (topic.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' is not TOPIC or TOPIC:P,P...");
            }
            if (colon < 0) {
                return new TopicSpec(topic, List.of());
            }
            Set<Integer> partitions = new TreeSet<>();
            for (String part : text.substring(colon + 1).split(",", -1)) {
                try {
                    int partition = Integer.parseInt(part.strip());
                    if (partition < 0) {
                        throw new NumberFormatException();
                    }
                    partitions.add(partition);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not TOPIC or TOPIC:P,P... (partitions are "
                            + "numbers from 0)");
                }
            }
            return new TopicSpec(topic, List.copyOf(partitions));
        }
    }

    static final class TopicSpecConverter implements CommandLine.ITypeConverter<TopicSpec> {
        @Override
        public TopicSpec convert(String value) {
            try {
                return TopicSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static String dash(OptionalLong value) {
        return value.isPresent() ? String.valueOf(value.getAsLong()) : "-";
    }

    private static String dash(Optional<String> value) {
        return value.filter(v -> !v.isEmpty()).orElse("-");
    }

    private static Object boxed(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
