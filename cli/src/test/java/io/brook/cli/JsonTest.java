package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void stringsAreEscapedAsRfc8259Requires() {
        assertEquals("\"say \\\"hi\\\" \\\\ now\"", Json.write("say \"hi\" \\ now"));
        assertEquals("\"a\\nb\\rc\\td\\be\\ff\"", Json.write("a\nb\rc\td\be\ff"));
        assertEquals("\"\\u0000\\u001f\\u2028\\u2029\"", Json.write("\u0000\u001f\u2028\u2029"));
        assertEquals("\"é ✓ 😀 /\"", Json.write("é ✓ 😀 /"), "other characters pass through");
    }

    @Test
    void valuesNestInOrder() {
        Map<String, Object> object = Json.object("name", "t", "partitions", 3, "offset", 5_000_000_000L,
                "internal", false, "leader", null, "rack", Optional.empty(), "host", Optional.of("h"),
                "replicas", List.of(1, 2), "configs", new TreeMap<>(Map.of("b", "2", "a", "1")), "empty", List.of());
        assertEquals("{\"name\":\"t\",\"partitions\":3,\"offset\":5000000000,\"internal\":false,\"leader\":null,"
                + "\"rack\":null,\"host\":\"h\",\"replicas\":[1,2],\"configs\":{\"a\":\"1\",\"b\":\"2\"},\"empty\":[]}",
                Json.write(object));
        assertEquals("[{},[]]", Json.write(List.of(Map.of(), List.of())));
    }

    @Test
    void valuesWithoutAJsonFormAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(1.5));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
