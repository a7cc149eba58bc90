package io.brook.metadata.internal.controller;

import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.ClusterImage;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A broker that may receive new replicas: registered, unfenced and not in controlled shutdown.
 * Input to {@link ReplicaPlacer}.
 *
 * @param rack empty when the broker has no rack
 */
public record UsableBroker(int id, Optional<String> rack) {
    public UsableBroker {
        Objects.requireNonNull(rack, "rack");
    }

    public static UsableBroker of(int id, String rack) {
        return new UsableBroker(id, Optional.of(rack));
    }

    public static UsableBroker withoutRack(int id) {
        return new UsableBroker(id, Optional.empty());
    }

    /** The active brokers of the image ({@link BrokerRegistration#isActive()}), by id. */
    public static List<UsableBroker> usableBrokers(ClusterImage cluster) {
        return cluster.brokers().values().stream()
                .filter(BrokerRegistration::isActive)
                .sorted(Comparator.comparingInt(BrokerRegistration::id))
                .map(b -> new UsableBroker(b.id(), b.rack()))
                .toList();
    }
}
