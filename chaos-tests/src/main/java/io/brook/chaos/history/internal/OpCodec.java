package io.brook.chaos.history.internal;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One {@link Op} or {@link FaultWindow} to and from one line of JSON. Stateless and thread-safe.
 *
 * <p>Fields come in a fixed order and the empty ones (null, -1, empty collections) are left out,
 * so equal ops give equal lines; reading restores the empty values, so a decoded op equals the
 * encoded one. Unknown fields are rejected: a typo in a hand-written history fails loudly.
 */
public final class OpCodec {
    private static final Set<String> OP_FIELDS = Set.of("index", "timeNanos", "process", "type", "f", "node", "topic",
            "partition", "key", "value", "offset", "group", "messages", "offsets", "partitions", "error");
    private static final Set<String> MESSAGE_FIELDS = Set.of("topic", "partition", "offset", "key", "value");
    private static final Set<String> OFFSET_FIELDS = Set.of("topic", "partition", "offset");
    private static final Set<String> PARTITION_FIELDS = Set.of("topic", "partition");
    private static final Set<String> FAULT_FIELDS = Set.of("kind", "targets", "detail", "startNanos", "endNanos");

    private OpCodec() {}

    /** {@code op} as one line of JSON, without the line break. */
    public static String encode(Op op) {
        Fields out = new Fields();
        out.number("index", op.index());
        out.number("timeNanos", op.timeNanos());
        out.number("process", op.process());
        out.string("type", op.type().name().toLowerCase(Locale.ROOT));
        out.string("f", op.f());
        if (op.node() != -1) {
            out.number("node", op.node());
        }
        out.string("topic", op.topic());
        if (op.partition() != -1) {
            out.number("partition", op.partition());
        }
        out.string("key", op.key());
        out.string("value", op.value());
        if (op.offset() != -1) {
            out.number("offset", op.offset());
        }
        out.string("group", op.group());
        if (!op.messages().isEmpty()) {
            out.objects("messages", op.messages(), (m, item) -> {
                item.string("topic", m.topic());
                item.number("partition", m.partition());
                item.number("offset", m.offset());
                item.string("key", m.key());
                item.string("value", m.value());
            });
        }
        if (!op.offsets().isEmpty()) {
            out.objects("offsets", List.copyOf(op.offsets().entrySet()), (e, item) -> {
                item.string("topic", e.getKey().topic());
                item.number("partition", e.getKey().partition());
                item.number("offset", e.getValue());
            });
        }
        if (!op.partitions().isEmpty()) {
            out.objects("partitions", op.partitions(), (tp, item) -> {
                item.string("topic", tp.topic());
                item.number("partition", tp.partition());
            });
        }
        out.string("error", op.error());
        return out.close();
    }

    /**
     * The op that {@link #encode} wrote as {@code line}.
     *
     * @throws IllegalArgumentException saying what is wrong with the line
     */
    public static Op decode(String line) {
        Reader in = Reader.of(Json.parse(line), OP_FIELDS, "op");
        List<Message> messages = new ArrayList<>();
        for (Object item : in.list("messages")) {
            Reader m = Reader.of(item, MESSAGE_FIELDS, "message");
            messages.add(new Message(m.requiredString("topic"), m.requiredInt("partition"),
                    m.requiredLong("offset"), m.string("key"), m.string("value")));
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (Object item : in.list("offsets")) {
            Reader o = Reader.of(item, OFFSET_FIELDS, "offset");
            TopicPartition tp = new TopicPartition(o.requiredString("topic"), o.requiredInt("partition"));
            if (offsets.put(tp, o.requiredLong("offset")) != null) {
                throw new IllegalArgumentException("offsets name " + tp + " twice");
            }
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (Object item : in.list("partitions")) {
            Reader p = Reader.of(item, PARTITION_FIELDS, "partition");
            partitions.add(new TopicPartition(p.requiredString("topic"), p.requiredInt("partition")));
        }
        String type = in.requiredString("type");
        Op.Type opType;
        try {
            opType = Op.Type.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type \"" + type + "\"");
        }
        if (!type.equals(type.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("type must be lower case: \"" + type + "\"");
        }
        return new Op(in.requiredLong("index"), in.requiredLong("timeNanos"), in.requiredInt("process"), opType,
                in.requiredString("f"), in.intOr("node", -1), in.string("topic"), in.intOr("partition", -1),
                in.string("key"), in.string("value"), in.longOr("offset", -1), in.string("group"), messages,
                offsets, partitions, in.string("error"));
    }

    /** {@code window} as one line of JSON; an open window leaves out {@code endNanos}. */
    public static String encode(FaultWindow window) {
        Fields out = new Fields();
        out.string("kind", window.kind());
        out.numbers("targets", window.targets());
        out.string("detail", window.detail());
        out.number("startNanos", window.startNanos());
        if (window.healed()) {
            out.number("endNanos", window.endNanos());
        }
        return out.close();
    }

    /** The fault window that {@link #encode(FaultWindow)} wrote as {@code line}. */
    public static FaultWindow decodeFault(String line) {
        Reader in = Reader.of(Json.parse(line), FAULT_FIELDS, "fault window");
        List<Integer> targets = new ArrayList<>();
        for (Object item : in.list("targets")) {
            if (!(item instanceof Long node) || node < Integer.MIN_VALUE || node > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("targets must be node ids: " + item);
            }
            targets.add(node.intValue());
        }
        return new FaultWindow(in.requiredString("kind"), targets, in.string("detail"), in.requiredLong("startNanos"),
                in.longOr("endNanos", FaultWindow.OPEN));
    }

    /** Writes the fields of one JSON object. */
    private static final class Fields {
        private final StringBuilder out = new StringBuilder("{");
        private boolean first = true;

        void string(String name, String value) {
            if (value != null) {
                name(name);
                Json.appendString(out, value);
            }
        }

        void number(String name, long value) {
            name(name);
            out.append(value);
        }

        void numbers(String name, List<Integer> values) {
            name(name);
            out.append('[');
            for (int i = 0; i < values.size(); i++) {
                out.append(i == 0 ? "" : ",").append(values.get(i));
            }
            out.append(']');
        }

        <T> void objects(String name, List<T> items, ItemWriter<T> writer) {
            name(name);
            out.append('[');
            for (int i = 0; i < items.size(); i++) {
                Fields item = new Fields();
                writer.write(items.get(i), item);
                out.append(i == 0 ? "" : ",").append(item.close());
            }
            out.append(']');
        }

        private void name(String name) {
            if (!first) {
                out.append(',');
            }
            first = false;
            Json.appendString(out, name);
            out.append(':');
        }

        String close() {
            return out.append('}').toString();
        }
    }

    private interface ItemWriter<T> {
        void write(T item, Fields into);
    }

    /** Reads the fields of one parsed JSON object, checking their types. */
    private record Reader(Map<String, Object> fields, String what) {
        @SuppressWarnings("unchecked")
        static Reader of(Object parsed, Set<String> known, String what) {
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(what + " must be a JSON object");
            }
            for (Object key : map.keySet()) {
                if (!known.contains(key)) {
                    throw new IllegalArgumentException(what + " has an unknown field \"" + key + "\"");
                }
            }
            return new Reader((Map<String, Object>) map, what);
        }

        String string(String name) {
            Object value = fields.get(name);
            if (value != null && !(value instanceof String)) {
                throw new IllegalArgumentException(what + " field \"" + name + "\" must be a string");
            }
            return (String) value;
        }

        String requiredString(String name) {
            String value = string(name);
            if (value == null) {
                throw missing(name);
            }
            return value;
        }

        long longOr(String name, long absent) {
            Object value = fields.get(name);
            if (value == null) {
                return absent;
            }
            if (!(value instanceof Long number)) {
                throw new IllegalArgumentException(what + " field \"" + name + "\" must be an integer");
            }
            return number;
        }

        long requiredLong(String name) {
            if (fields.get(name) == null) {
                throw missing(name);
            }
            return longOr(name, 0);
        }

        int intOr(String name, int absent) {
            long value = longOr(name, absent);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " field \"" + name + "\" is out of range: " + value);
            }
            return (int) value;
        }

        int requiredInt(String name) {
            if (fields.get(name) == null) {
                throw missing(name);
            }
            return intOr(name, 0);
        }

        List<?> list(String name) {
            Object value = fields.get(name);
            if (value == null) {
                return List.of();
            }
            if (!(value instanceof List<?> items)) {
                throw new IllegalArgumentException(what + " field \"" + name + "\" must be an array");
            }
            return items;
        }

        private IllegalArgumentException missing(String name) {
            return new IllegalArgumentException(what + " lacks the field \"" + name + "\"");
        }
    }
}
