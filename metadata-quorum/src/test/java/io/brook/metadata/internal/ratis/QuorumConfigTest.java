package io.brook.metadata.internal.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuorumConfigTest {

    @Test
    void votersParseIntoIdsAndAddressesInGivenOrder() {
        assertEquals(List.of(new QuorumVoter(1, "ctl1", 9093), new QuorumVoter(2, "10.0.0.2", 9094),
                        new QuorumVoter(3, "::1", 9095)),
                QuorumConfig.parseVoters("1@ctl1:9093, 2@10.0.0.2:9094,3@[::1]:9095"));
    }

    @Test
    void malformedVotersFailNamingTheKeyAndTheEntry() {
        Map<String, String> cases = Map.of(
                "", "at least one voter",
                "1@h:1,,2@h:2", "empty entry",
                "h:9093", "'h:9093' is not id@host:port",
                "x@h:9093", "not an integer",
                "1@h", "expected host:port",
                "1@h:port", "'port' is not a number",
                "1@h:70000", "outside 1..65535",
                "1@h:1,1@g:2", "node id 1 appears twice",
                "1@h:1,2@h:1", "address h:1 appears twice",
                "-1@h:1", "negative");
        cases.forEach((text, expected) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> QuorumConfig.parseVoters(text), text);
            assertEquals("controller.quorum.voters", e.key());
            assertTrue(e.getMessage().contains("controller.quorum.voters") && e.getMessage().contains(expected),
                    text + " -> " + e.getMessage());
        });
    }

    @Test
    void configDefinitionsValidateVotersAndApplyDefaults() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> QuorumConfig.DEFINITIONS.parse(Map.of("controller.quorum.voters", "1@h")));
        assertEquals("controller.quorum.voters", e.key());

        var values = QuorumConfig.DEFINITIONS.parse(Map.of("controller.quorum.voters", "1@h:1,2@h:2"));
        RaftQuorumNode.Settings settings = RaftQuorumNode.Settings.from(2, Path.of("/tmp/x"), values);
        assertEquals(new QuorumVoter(2, "h", 2), settings.self());
        assertEquals(300, settings.electionTimeoutMs());
        assertEquals(20_000L, settings.snapshotIntervalRecords());
        assertTrue(settings.isInitialVoter());
    }

    @Test
    void aJoiningControllerNeedsAListenAddress() {
        var values = QuorumConfig.DEFINITIONS.parse(Map.of("controller.quorum.voters", "1@h:1"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> RaftQuorumNode.Settings.from(4, Path.of("/tmp/x"), values));
        assertEquals("controller.quorum.listen.address", e.key());

        var joining = QuorumConfig.DEFINITIONS.parse(Map.of("controller.quorum.voters", "1@h:1",
                "controller.quorum.listen.address", "h:4"));
        RaftQuorumNode.Settings settings = RaftQuorumNode.Settings.from(4, Path.of("/tmp/x"), joining);
        assertEquals(new QuorumVoter(4, "h", 4), settings.self());
        assertTrue(!settings.isInitialVoter());
    }
}
