package io.brook.metadata.internal.ratis;

import io.brook.api.internal.metadata.MetadataBatch;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.internal.MetadataLog;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;

/**
 * {@link MetadataLog} on the local Ratis server: an append is a write request submitted straight
 * to this node's division (no RaftClient, which would retry on whichever node leads now). The
 * request carries the term the caller validated against; the state machine refuses it when the
 * division is in another term. The reply comes after the entry is committed and applied here.
 */
final class RaftMetadataLog implements MetadataLog {
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    RaftMetadataLog(RaftServer server, RaftGroupId groupId) {
        this.server = server;
        this.groupId = groupId;
    }

    @Override
    public CompletableFuture<Long> append(long term, List<MetadataRecord> records) {
        MetadataBatch batch = MetadataBatch.newBuilder().addAllRecords(records).build();
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(server.getId())
                .setGroupId(groupId)
                .setCallId(callIds.incrementAndGet())
                .setMessage(MetadataStateMachine.envelope(term, batch))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(translate(term, e));
        }
        return reply.handle((r, error) -> {
            if (error != null) {
                throw new CompletionException(translate(term, unwrap(error)));
            }
            if (r.isSuccess()) {
                return r.getLogIndex();
            }
            throw new CompletionException(translate(term, r.getException()));
        });
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    /** Maps Ratis's refusals to {@link NotLeaderException}; anything else means "outcome unknown". */
    private Throwable translate(long term, Throwable error) {
        if (error instanceof org.apache.ratis.protocol.exceptions.NotLeaderException e) {
            RaftPeer suggested = e.getSuggestedLeader();
            return notLeader(term, "this controller does not lead", suggested == null ? -1
                    : RaftQuorumNode.nodeId(suggested.getId()));
        }
        if (error instanceof LeaderNotReadyException || error instanceof LeaderSteppingDownException
                || error instanceof AlreadyClosedException || error instanceof ServerNotReadyException) {
            return notLeader(term, error.getClass().getSimpleName(), -1);
        }
        if (error instanceof StateMachineException e && e.getCause() instanceof MetadataStateMachine.StaleTermException) {
            return notLeader(term, e.getCause().getMessage(), currentLeader());
        }
        return error;
    }

    private MetadataLog.NotLeaderException notLeader(long term, String why, int hint) {
        return new MetadataLog.NotLeaderException("Append for term " + term + " refused: " + why
                + (hint >= 0 ? " (leader hint: " + hint + ")" : ""), hint);
    }

    private int currentLeader() {
        try {
            return RaftQuorumNode.nodeId(server.getDivision(groupId).getInfo().getLeaderId());
        } catch (IOException e) {
            return -1;
        }
    }
}
