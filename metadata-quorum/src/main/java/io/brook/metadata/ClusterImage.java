package io.brook.metadata;

import java.util.Map;

/** The registered brokers by id. */
public record ClusterImage(Map<Integer, BrokerRegistration> brokers) {
    public static final ClusterImage EMPTY = new ClusterImage(Map.of());

    public ClusterImage {
        brokers = Map.copyOf(brokers);
    }

    public BrokerRegistration broker(int id) {
        return brokers.get(id);
    }

    /** The highest epoch among the current registrations, or 0 when there are none. */
    public long highestBrokerEpoch() {
        long highest = 0;
        for (BrokerRegistration broker : brokers.values()) {
            highest = Math.max(highest, broker.epoch());
        }
        return highest;
    }

    /** Whether the broker is registered, unfenced and not shutting down. */
    public boolean isActive(int id) {
        BrokerRegistration broker = brokers.get(id);
        return broker != null && broker.isActive();
    }

    /** Whether the broker is registered and unfenced (it may be in controlled shutdown). */
    public boolean isUnfenced(int id) {
        BrokerRegistration broker = brokers.get(id);
        return broker != null && !broker.fenced();
    }
}
