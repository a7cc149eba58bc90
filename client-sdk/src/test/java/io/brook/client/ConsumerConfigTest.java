package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.ConfigException;
import io.brook.common.ConfigValues;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The consumer-group keys: Kafka's names and defaults, validated, and on the page `brook config docs` prints. */
class ConsumerConfigTest {
    @Test
    void groupKeysHaveKafkasDefaults() {
        ConfigValues values = ConsumerConfig.parse(Map.of("bootstrap.servers", "localhost:9092"));
        assertNull(values.get(ConsumerConfig.GROUP_ID));
        assertNull(values.get(ConsumerConfig.GROUP_INSTANCE_ID));
        assertEquals(true, values.get(ConsumerConfig.ENABLE_AUTO_COMMIT));
        assertEquals(5000, values.get(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS));
        assertEquals(45_000, values.get(ConsumerConfig.SESSION_TIMEOUT_MS));
        assertEquals(300_000, values.get(ConsumerConfig.MAX_POLL_INTERVAL_MS));
        assertEquals("", values.get(ClientConfig.CLIENT_ID));
    }

    @Test
    void theDocsPageListsThem() {
        String docs = ConsumerConfig.DEFINITIONS.toMarkdown();
        for (String row : new String[] {"| `group.id` | string | null |", "| `group.instance.id` | string | null |",
                "| `enable.auto.commit` | boolean | true |", "| `auto.commit.interval.ms` | int | 5000 |",
                "| `session.timeout.ms` | int | 45000 |", "| `max.poll.interval.ms` | int | 300000 |",
                "| `client.id` | string |"}) {
            assertTrue(docs.contains(row), row + " in\n" + docs);
        }
    }

    @Test
    void aBlankGroupIdIsAnErrorNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConsumerConfig.parse(Map.of("bootstrap.servers", "localhost:9092", "group.id", " ")));
        assertTrue(e.getMessage().contains("group.id"), e.getMessage());
    }
}
