package io.brook.metadata;

import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One registered broker as the committed metadata knows it.
 *
 * @param endpoints listeners in registration order
 * @param rack empty when the broker has no rack
 */
public record BrokerRegistration(
        int id,
        UUID incarnationId,
        long epoch,
        List<Endpoint> endpoints,
        Optional<String> rack,
        boolean fenced,
        boolean inControlledShutdown) {

    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(rack, "rack");
    }

    static BrokerRegistration fromRecord(RegisterBrokerRecord record) {
        return new BrokerRegistration(
                record.getBrokerId(),
                Uuids.fromProto(record.getIncarnationId()),
                record.getBrokerEpoch(),
                record.getEndpointsList(),
                record.getRack().isEmpty() ? Optional.empty() : Optional.of(record.getRack()),
                record.getFenced(),
                record.getInControlledShutdown());
    }

    public RegisterBrokerRecord toRecord() {
        return RegisterBrokerRecord.newBuilder()
                .setBrokerId(id)
                .setIncarnationId(Uuids.toProto(incarnationId))
                .setBrokerEpoch(epoch)
                .addAllEndpoints(endpoints)
                .setRack(rack.orElse(""))
                .setFenced(fenced)
                .setInControlledShutdown(inControlledShutdown)
                .build();
    }

    /** Whether the broker may lead partitions and receive new replicas. */
    public boolean isActive() {
        return !fenced && !inControlledShutdown;
    }

    public BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(id, incarnationId, epoch, endpoints, rack, newFenced, inControlledShutdown);
    }

    public BrokerRegistration withInControlledShutdown(boolean value) {
        return new BrokerRegistration(id, incarnationId, epoch, endpoints, rack, fenced, value);
    }
}
