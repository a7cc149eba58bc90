package io.brook.chaos.cluster;

/**
 * Network namespaces cannot be created on this host (not root, no CAP_NET_ADMIN / CAP_SYS_ADMIN,
 * or no iproute2), so the cluster cannot be partitioned. The message says what to do instead.
 */
public final class NetworkNamespacesUnavailableException extends RuntimeException {
    NetworkNamespacesUnavailableException(Exception cause) {
        super("network partitions need root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's `ip netns`, and "
                + "`ip netns add` failed here: " + cause.getMessage() + ". Run as root, or start the cluster on "
                + "loopback (Settings.network(NetworkMode.LOOPBACK), the runner's --no-netns), where kill and pause "
                + "faults work and partitions are refused", cause);
    }
}
