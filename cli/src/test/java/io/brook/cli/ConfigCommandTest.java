package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfigCommandTest extends CliTestSupport {
    @Test
    void docsListEveryNodeAndTopicKeyWithItsDefault() {
        assertEquals(0, brook("config", "docs"));
        String docs = out.toString();
        for (String key : new String[] {"`node.id`", "`process.roles`", "`controller.quorum.voters`",
                "`controller.quorum.election.timeout.ms`", "`broker.session.timeout.ms`", "`log.dirs`",
                "`retention.ms`", "`cleanup.policy`", "`unclean.leader.election.enable`"}) {
            assertTrue(docs.contains(key), key + " is documented");
        }
        assertTrue(docs.contains("| `broker.session.timeout.ms` | int | 9000 |"), docs);
    }
}
