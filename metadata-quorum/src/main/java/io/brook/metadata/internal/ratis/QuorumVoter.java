package io.brook.metadata.internal.ratis;

/**
 * One controller of the quorum: its node id and the address its Raft server listens on.
 *
 * @param id   node id (the Raft peer id is its decimal text)
 * @param host host name or IP address
 * @param port TCP port, 1..65535
 */
public record QuorumVoter(int id, String host, int port) {
    /** {@code host:port}. */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return id + "@" + address();
    }
}
