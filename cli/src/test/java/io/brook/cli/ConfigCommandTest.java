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

    @Test
    void docsHaveAProducerAConsumerAndAnAdminSection() {
        assertEquals(0, brook("config", "docs"));
        String docs = out.toString();
        int producer = docs.indexOf("\n## Producer configuration\n");
        int consumer = docs.indexOf("\n## Consumer configuration\n");
        int admin = docs.indexOf("\n## Admin configuration\n");
        assertTrue(producer > 0 && consumer > producer && admin > consumer, docs);
        assertTrue(docs.substring(producer, consumer).contains("| `enable.idempotence` | boolean | true |"), docs);
        assertTrue(docs.substring(consumer, admin).contains("| `auto.offset.reset` | string | latest |"), docs);
        assertTrue(docs.substring(admin).contains("| `default.api.timeout.ms` | int | 60000 |"), docs);
        assertTrue(docs.substring(admin).contains("`bootstrap.servers`"), docs);
    }
}
