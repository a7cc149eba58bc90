package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.cli.GroupsCommand.PlannedOffset;
import io.brook.cli.GroupsCommand.ResetTarget;
import io.brook.cli.GroupsCommand.TopicSpec;
import io.brook.client.TopicPartition;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * `brook groups` without a cluster: how reset-offsets computes new offsets and reads its
 * arguments, how assignments print, usage errors (exit status 2, decided before anything is
 * sent) and the help of each command.
 */
class GroupsCommandOptionsTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    /** Nothing listens here: a command that got past its usage checks would fail with exit status 1. */
    private static final String NOWHERE = "127.0.0.1:1";

    @Test
    void resetPlanMovesToTheLogStartTheLogEndOrAnOffsetClampedIntoTheLogAsKafkasToolDoes() {
        assertEquals(new PlannedOffset(T0, 3, Optional.empty()), plan(new ResetTarget.Earliest()));
        assertEquals(new PlannedOffset(T0, 9, Optional.empty()), plan(new ResetTarget.Latest()));
        assertEquals(new PlannedOffset(T0, 5, Optional.empty()), plan(new ResetTarget.ToOffset(5)));
        assertEquals(new PlannedOffset(T0, 3, Optional.empty()), plan(new ResetTarget.ToOffset(3)), "log start itself");
        assertEquals(new PlannedOffset(T0, 9, Optional.empty()), plan(new ResetTarget.ToOffset(9)), "log end itself");
        assertEquals(new PlannedOffset(T0, 3, Optional.of("New offset (1) is lower than the earliest offset of t-0 (3); "
                + "using 3.")), plan(new ResetTarget.ToOffset(1)));
        assertEquals(new PlannedOffset(T0, 9, Optional.of("New offset (12) is higher than the latest offset of t-0 (9); "
                + "using 9.")), plan(new ResetTarget.ToOffset(12)));
    }

    @Test
    void resetToADatetimeTakesTheFirstOffsetAtOrAfterItOrTheLogEndWhenNoRecordIs() {
        assertEquals(new PlannedOffset(T0, 6, Optional.empty()),
                GroupsCommand.plan(new ResetTarget.ToDatetime(1_000), T0, 3, 9, 6));
        assertEquals(new PlannedOffset(T0, 9, Optional.empty()),
                GroupsCommand.plan(new ResetTarget.ToDatetime(1_000), T0, 3, 9, -1));
    }

    @Test
    void datetimesAreReadAsKafkasToolReadsThemInTheLocalZoneUnlessOneIsGiven() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        assertEquals(1_709_296_200_123L, GroupsCommand.parseDateTime("2024-03-01T12:30:00.123Z", paris));
        assertEquals(1_709_296_200_000L, GroupsCommand.parseDateTime("2024-03-01T12:30:00Z", paris), "ms optional");
        assertEquals(1_709_296_200_000L, GroupsCommand.parseDateTime("2024-03-01T14:30:00.000+02:00", paris));
        assertEquals(1_709_296_200_000L, GroupsCommand.parseDateTime("2024-03-01T07:30:00.000-05:00", paris));
        assertEquals(1_709_296_200_000L, GroupsCommand.parseDateTime("2024-03-01T13:30:00.000", paris),
                "Paris is UTC+1 in March");
        assertEquals(1_719_837_000_000L, GroupsCommand.parseDateTime("2024-07-01T14:30:00", paris),
                "and UTC+2 in July");
        assertEquals(0, GroupsCommand.parseDateTime("1969-12-31T23:00:00.000Z", paris),
                "before 1970: every record is at or after it");
        for (String bad : List.of("2024-03-01", "2024-03-01 12:30:00", "2024-02-30T12:30:00.000",
                "2024-03-01T25:00:00.000", "2024-03-01T12:30:00.12", "2024-03-01T12:30:00+0200", "yesterday", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GroupsCommand.parseDateTime(bad, paris), bad);
            assertEquals("'" + bad + "' is not a date and time: expected YYYY-MM-DDTHH:mm:SS.sss, optionally followed "
                    + "by Z or ±hh:mm.", e.getMessage());
        }
    }

    @Test
    void aTopicArgumentNamesATopicOrSomeOfItsPartitions() {
        assertEquals(new TopicSpec("orders", List.of()), TopicSpec.parse("orders"));
        assertEquals(new TopicSpec("orders", List.of(0, 2, 5)), TopicSpec.parse("orders:5,0,2,2"));
        for (String bad : List.of(":1", "orders:", "orders:a", "orders:1,,2", "orders:-1")) {
            assertThrows(IllegalArgumentException.class, () -> TopicSpec.parse(bad), bad);
        }
    }

    @Test
    void anAssignmentPrintsAsKafkasToolPrintsIt() {
        assertEquals("-", GroupsCommand.Describe.assignment(Set.of()));
        assertEquals("orders(0,1,10),payments(2)", GroupsCommand.Describe.assignment(Set.of(
                new TopicPartition("payments", 2), new TopicPartition("orders", 10), new TopicPartition("orders", 0),
                new TopicPartition("orders", 1))));
    }

    @Test
    void usageErrorsHaveExitStatusTwoAndNameTheProblem() {
        assertUsage("Missing subcommand: list or describe or reset-offsets or delete", "groups");
        assertUsage("Missing required parameter: GROUP", "groups", "describe");
        assertUsage("Missing required parameter: GROUP", "groups", "delete");
        assertUsage("Error: --members, --state are mutually exclusive (specify only one)",
                "groups", "describe", "g", "--members", "--state");
        assertUsage("Error: Missing required argument (specify one of these): (--to-earliest | --to-latest | "
                + "--to-offset=OFFSET | --to-datetime=YYYY-MM-DDTHH:mm:SS.sss)", "groups", "reset-offsets", "g",
                "--topic", "t");
        assertUsage("Error: --to-earliest, --to-latest are mutually exclusive (specify only one)",
                "groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest");
        assertUsage("Error: --dry-run, --execute are mutually exclusive (specify only one)",
                "groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--dry-run", "--execute");
        assertUsage("Missing --topic or --all-topics.", "groups", "reset-offsets", "g", "--to-earliest");
        assertUsage("--topic and --all-topics cannot be combined.",
                "groups", "reset-offsets", "g", "--topic", "t", "--all-topics", "--to-latest");
        assertUsage("reset-offsets takes one group, not 2.", "groups", "reset-offsets", "g", "--group", "h", "--topic",
                "t", "--to-latest");
        assertUsage("--to-offset must be at least 0, not -3.", "groups", "reset-offsets", "g", "--topic", "t",
                "--to-offset", "-3");
        assertUsage("Invalid value for option '--topic' (TOPIC[:P,P...]): 't:x' is not TOPIC or TOPIC:P,P... "
                + "(partitions are numbers from 0)", "groups", "reset-offsets", "g", "--topic", "t:x", "--to-latest");
        assertUsage("Invalid value for option '--to-datetime': 'yesterday' is not a date and time: expected "
                + "YYYY-MM-DDTHH:mm:SS.sss, optionally followed by Z or ±hh:mm.", "groups", "reset-offsets", "g",
                "--topic", "t", "--to-datetime", "yesterday");
        assertUsage("Unknown option: '--to-current'", "groups", "reset-offsets", "g", "--topic", "t", "--to-current");
    }

    @Test
    void helpDescribesEachCommandsSemantics() {
        CliTestSupport.Outcome top = CliTestSupport.run("--help");
        assertEquals(0, top.exit());
        assertTrue(finds("(?m)^  groups +List, describe, reset the offsets of and delete consumer groups\\.$", top.out()),
                top.out());

        CliTestSupport.Outcome groups = CliTestSupport.run("groups", "--help");
        assertEquals(0, groups.exit());
        for (String subcommand : List.of("list", "describe", "reset-offsets", "delete")) {
            assertTrue(finds("(?m)^  " + subcommand + " ", groups.out()), groups.out());
        }
        assertTrue(flat(groups.out()).contains("only while the group has no members: stop its consumers first"),
                groups.out());

        String describe = flat(CliTestSupport.run("groups", "describe", "--help").out());
        assertTrue(describe.contains("GROUP TOPIC PARTITION CURRENT-OFFSET (committed; - when none) LOG-END-OFFSET "
                + "(the high watermark) LAG (log end - committed; when nothing is committed, log end - log start: "
                + "the whole log is unread) CONSUMER-ID HOST CLIENT-ID"), describe);
        assertTrue(describe.contains("--members: GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT"), describe);
        assertTrue(describe.contains("--state: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE"), describe);

        String reset = flat(CliTestSupport.run("groups", "reset-offsets", "--help").out());
        assertTrue(reset.contains("(--to-earliest | --to-latest | --to-offset=OFFSET | "
                + "--to-datetime=YYYY-MM-DDTHH:mm:SS.sss) [--dry-run | --execute]"), reset);
        assertTrue(reset.contains("Without --execute this is a dry run and nothing changes"), reset);

        assertTrue(flat(CliTestSupport.run("groups", "delete", "--help").out()).contains(
                "Prints `Deletion of requested consumer groups ('G') was successful.`"));
        assertTrue(flat(CliTestSupport.run("groups", "list", "--help").out()).contains("Table: GROUP STATE"));
    }

    private static PlannedOffset plan(ResetTarget target) {
        return GroupsCommand.plan(target, T0, 3, 9, -1);
    }

    /** Exit status 2, nothing on stdout, and stderr starting with {@code message} (then the usage). */
    private static void assertUsage(String message, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--bootstrap-server";
        all[args.length + 1] = NOWHERE;
        if (args.length == 1) { // a command group takes no client options
            all = args;
        }
        CliTestSupport.Outcome outcome = CliTestSupport.run(all);
        assertEquals(2, outcome.exit(), outcome.toString());
        assertEquals("", outcome.out());
        assertTrue(outcome.err().startsWith(message + "\n"), outcome.err());
    }

    private static boolean finds(String regex, String text) {
        return java.util.regex.Pattern.compile(regex).matcher(text).find();
    }

    /** Help text with its line wrapping undone. */
    private static String flat(String help) {
        return help.replaceAll("\\s*\n\\s*", " ");
    }
}
