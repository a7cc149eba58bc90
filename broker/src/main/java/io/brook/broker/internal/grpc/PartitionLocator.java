package io.brook.broker.internal.grpc;

import io.brook.api.v1.ErrorCode;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.ReplicaManager;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.storage.TopicPartition;
import java.util.Optional;

/** Finds the local replica a client request names, or the error that tells the client where to go. */
final class PartitionLocator {
    private PartitionLocator() {}

    /** A partition this broker hosts, or why a request for it cannot be served here. */
    record Located(Partition partition, ErrorCode error, String message, int leaderHint, int epochHint) {}

    static Located locate(ReplicaManager replicas, String topic, int partitionId) {
        TopicPartition tp;
        try {
            tp = new TopicPartition(topic, partitionId);
        } catch (IllegalArgumentException e) {
            return new Located(null, ErrorCode.INVALID_TOPIC_EXCEPTION, e.getMessage(), -1, -1);
        }
        Optional<Partition> local = replicas.partition(tp);
        if (local.isPresent()) {
            return new Located(local.get(), ErrorCode.NONE, "", -1, -1);
        }
        MetadataImage image = replicas.image();
        TopicImage topicImage = image.topics().topic(topic);
        if (topicImage == null) {
            return new Located(null, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist",
                    -1, -1);
        }
        PartitionRegistration registration = topicImage.partition(partitionId);
        if (registration == null) {
            return new Located(null, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' has "
                    + topicImage.partitionCount() + " partitions; there is no partition " + partitionId, -1, -1);
        }
        return new Located(null, ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + replicas.brokerId()
                + " has no replica of " + tp + (registration.hasLeader() ? "; broker " + registration.leader()
                + " leads it" : "; it has no leader now"), registration.leader(), registration.leaderEpoch());
    }
}
