package io.brook.chaos.check.internal;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every place a history shows a value at a log position: records in final reads and polls, and
 * the positions acknowledged to sends. Stateless.
 */
public final class Sightings {
    private Sightings() {}

    /** A log position. Ordered by partition, then offset. */
    public record Position(TopicPartition partition, long offset) implements Comparable<Position> {
        private static final Comparator<Position> ORDER =
                Comparator.comparing(Position::partition).thenComparingLong(Position::offset);

        @Override
        public int compareTo(Position other) {
            return ORDER.compare(this, other);
        }

        @Override
        public String toString() {
            return partition + " offset " + offset;
        }
    }

    /** How a value was seen there. */
    public enum Source {
        READ("read"),
        POLL("poll"),
        SEND("send ok");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        /** "read op 40", "send ok op 12". */
        public String describe(long opIndex) {
            return label + " op " + opIndex;
        }
    }

    /** {@code value} seen at {@code position} by op {@code opIndex}. */
    public record Sighting(Position position, String value, Source source, long opIndex) {
        /** "read op 40". */
        public String describeSource() {
            return source.describe(opIndex);
        }
    }

    /** The records of OK final reads, in history order. */
    public static List<Sighting> reads(History history) {
        return records(history, Op.READ, Source.READ);
    }

    /** The records of OK polls, in history order. */
    public static List<Sighting> polls(History history) {
        return records(history, Op.POLL, Source.POLL);
    }

    /** The positions acknowledged to OK sends (those that name one), in history order. */
    public static List<Sighting> acknowledgedSends(History history) {
        List<Sighting> out = new ArrayList<>();
        for (Operation send : history.operations()) {
            if (send.f().equals(Op.SEND) && send.outcome() == Op.Type.OK) {
                Op ok = send.completion();
                if (ok.topicPartition() != null && ok.offset() >= 0) {
                    out.add(new Sighting(new Position(ok.topicPartition(), ok.offset()), ok.value(), Source.SEND,
                            ok.index()));
                }
            }
        }
        out.sort(Comparator.comparingLong(Sighting::opIndex));
        return out;
    }

    private static List<Sighting> records(History history, String f, Source source) {
        List<Sighting> out = new ArrayList<>();
        for (Op op : history.ops()) {
            if (op.is(f, Op.Type.OK)) {
                for (Message m : op.messages()) {
                    out.add(new Sighting(new Position(m.topicPartition(), m.offset()), m.value(), source, op.index()));
                }
            }
        }
        return out;
    }
}
