package io.brook.metadata.internal;

import io.brook.api.internal.controller.AddRaftVoterRequest;
import io.brook.api.internal.controller.AddRaftVoterResponse;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.RemoveRaftVoterRequest;
import io.brook.api.internal.controller.RemoveRaftVoterResponse;
import java.util.concurrent.CompletableFuture;

/** The quorum's own administration, served next to the controller requests. */
public interface QuorumAdmin {
    /** This node's view; NOT_CONTROLLER with the leader hint unless it leads. */
    DescribeQuorumResponse describeQuorum();

    CompletableFuture<AddRaftVoterResponse> addVoter(AddRaftVoterRequest request);

    CompletableFuture<RemoveRaftVoterResponse> removeVoter(RemoveRaftVoterRequest request);
}
