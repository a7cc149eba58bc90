package io.brook.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefinitionsTest {
    static final ConfigKey<Integer> SEGMENT_BYTES = ConfigKey.intKey("segment.bytes")
            .defaultValue(1 << 30).validator(ConfigValidator.atLeast(14)).doc("Segment size.").build();
    static final ConfigKey<List<String>> CLEANUP = ConfigKey.listKey("cleanup.policy")
            .defaultValue(List.of("delete"))
            .validator(ConfigValidator.nonEmptySubsetOf("delete", "compact")).doc("Cleanup.").build();
    static final ConfigKey<String> NODE_ID = ConfigKey.stringKey("node.id").doc("Id.").build();
    static final ConfigKey<Boolean> UNCLEAN = ConfigKey.booleanKey("unclean.leader.election.enable")
            .defaultValue(false).doc("Unclean.").build();
    static final ConfigDefinitions DEFS = ConfigDefinitions.of(SEGMENT_BYTES, CLEANUP, NODE_ID, UNCLEAN);

    @Test
    void unsetKeysReadAsTheirDefaults() {
        ConfigValues values = DEFS.parse(Map.of("node.id", "1"));
        assertEquals(1 << 30, values.get(SEGMENT_BYTES));
        assertEquals(List.of("delete"), values.get(CLEANUP));
        assertFalse(values.get(UNCLEAN));
        assertFalse(values.isSet(SEGMENT_BYTES));
        assertTrue(values.isSet(NODE_ID));
    }

    @Test
    void parsesTypedValues() {
        ConfigValues values = DEFS.parse(Map.of("node.id", "7", "segment.bytes", " 4096 ",
                "cleanup.policy", "compact, delete", "unclean.leader.election.enable", "TRUE"));
        assertEquals(4096, values.get(SEGMENT_BYTES));
        assertEquals(List.of("compact", "delete"), values.get(CLEANUP));
        assertTrue(values.get(UNCLEAN));
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKeyWithASuggestion() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DEFS.parse(Map.of("node.id", "1", "segment.byte", "100")));
        assertEquals("segment.byte", e.key());
        assertTrue(e.getMessage().contains("did you mean 'segment.bytes'"), e.getMessage());
    }

    @Test
    void unparsableValueIsAnErrorNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DEFS.parse(Map.of("node.id", "1", "segment.bytes", "1GB")));
        assertEquals("segment.bytes", e.key());
        assertTrue(e.getMessage().contains("32-bit integer"), e.getMessage());
    }

    @Test
    void valueFailingItsValidatorIsAnErrorSayingWhatIsValid() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DEFS.parse(Map.of("node.id", "1", "segment.bytes", "10")));
        assertEquals("segment.bytes", e.key());
        assertTrue(e.getMessage().contains("at least 14"), e.getMessage());

        ConfigException policy = assertThrows(ConfigException.class,
                () -> DEFS.parse(Map.of("node.id", "1", "cleanup.policy", "compact,shred")));
        assertEquals("cleanup.policy", policy.key());
        assertTrue(policy.getMessage().contains("shred"), policy.getMessage());
    }

    @Test
    void missingRequiredKeyIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> DEFS.parse(Map.of()));
        assertEquals("node.id", e.key());
    }

    @Test
    void invalidDefaultIsCaughtWhenTheKeyIsDefined() {
        assertThrows(IllegalArgumentException.class, () -> ConfigKey.intKey("x").defaultValue(-1)
                .validator(ConfigValidator.atLeast(0)).doc("x").build());
    }

    @Test
    void duplicateDefinitionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DEFS.plus(ConfigDefinitions.of(NODE_ID)));
    }

    @Test
    void docsListEveryKey() {
        String markdown = DEFS.toMarkdown();
        for (ConfigKey<?> key : DEFS.keys()) {
            assertTrue(markdown.contains("`" + key.name() + "`"), key.name());
        }
    }
}
