package io.brook.chaos.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Linux network namespace per node, joined by a bridge in the root namespace, so that the
 * harness can cut the links between nodes while it still reaches every node.
 *
 * <pre>
 *   root namespace: bridge brk-TAG 10.A.B.254/24 ── veth vb-TAG-1 ═ eth0 10.A.B.1 in namespace brook-TAG-1
 *                                                 ├─ veth vb-TAG-2 ═ eth0 10.A.B.2 in namespace brook-TAG-2
 *                                                 └─ ...
 * </pre>
 *
 * <p>Node i listens on 10.A.B.i with the same ports as every other node (broker 9092, controller
 * service 9093, Raft 9094) and is launched with {@code ip netns exec brook-TAG-i java ...}, which
 * execs: the launched process is the JVM. A cut link i-j is installed inside namespace i (for
 * packets to j) and inside namespace j (for packets to i), as {@link PartitionMethod} says; the
 * bridge address 10.A.B.254, from which the harness's clients connect, is never cut, so clients
 * reach every node whatever the partition.
 *
 * <p>TAG is the owner JVM's pid and a per-JVM sequence number, both in base 36 ({@code brk-TAG}
 * stays within the 15 characters of an interface name), so two runs on one host never share a
 * name, and {@link #removeLeftovers()} can tell a crashed run's namespaces (owner pid gone) from a
 * live run's. The /24 is derived from TAG and skipped when any address or route of the host
 * overlaps it. Setup and teardown hold a file lock, so concurrent runs pick different subnets.
 *
 * <p>Why not tc or iptables: iptables is not installed on our hosts and the kernel lacks the tc
 * modules (the prio qdisc, u32 actions) that a per-destination drop needs; neighbour entries and
 * routes are plain iproute2.
 *
 * <p>Thread-safe (methods are synchronized). Needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN:
 * {@link #create} otherwise fails with {@link NetworkNamespacesUnavailableException}.
 */
final class NamespaceNetwork implements ClusterNetwork {
    private static final Logger log = LoggerFactory.getLogger(NamespaceNetwork.class);
    static final int BROKER_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final int RAFT_PORT = 9094;
    /** Locally administered unicast, owned by no interface: frames sent to it are discarded by every receiver. */
    static final String NOBODY_MAC = "02:62:72:6b:00:00";
    private static final Path LOCK_FILE = Path.of(System.getProperty("java.io.tmpdir"), "brook-chaos-netns.lock");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Pattern NAMESPACE = Pattern.compile("brook-([0-9a-z]+)-([0-9a-z]+)-(\\d+)");
    private static final Pattern BRIDGE = Pattern.compile("brk-([0-9a-z]+)-([0-9a-z]+)");
    private static final Pattern VETH = Pattern.compile("vb-([0-9a-z]+)-([0-9a-z]+)-(\\d+)");
    private static final Pattern IPV4_PREFIX = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)(?:/(\\d+))?$");

    private final String tag;
    private final String subnet; // "10.A.B."
    private final PartitionMethod method;
    private final List<Integer> nodes;
    private Partition current = Partition.NONE;
    private boolean closed;

    private NamespaceNetwork(String tag, String subnet, PartitionMethod method, List<Integer> nodes) {
        this.tag = tag;
        this.subnet = subnet;
        this.method = method;
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Creates the bridge, and a namespace and veth pair per node (ids 1..253).
     *
     * @throws NetworkNamespacesUnavailableException when namespaces cannot be created here
     */
    static NamespaceNetwork create(List<Integer> nodes, PartitionMethod method) {
        for (int node : nodes) {
            if (node < 1 || node > 253) {
                throw new IllegalArgumentException("node ids must be within 1..253 to be host addresses, got " + node);
            }
        }
        String tag = Long.toString(ProcessHandle.current().pid(), 36) + "-"
                + Integer.toString(SEQUENCE.getAndIncrement(), 36);
        String firstNamespace = "brook-" + tag + "-" + nodes.get(0);
        try { // first, as the check that this process may make namespaces at all
            Commands.run("ip", "netns", "add", firstNamespace);
        } catch (Commands.CommandFailedException | UncheckedIOException e) {
            throw new NetworkNamespacesUnavailableException(e);
        }
        NamespaceNetwork network;
        try (HostLock lock = HostLock.acquire()) {
            String subnet = freeSubnet(tag);
            network = new NamespaceNetwork(tag, subnet, method, nodes);
            try {
                network.setUp();
            } catch (RuntimeException e) {
                network.tearDown();
                throw e;
            }
        } catch (IOException e) {
            removeNamespace(firstNamespace);
            throw new UncheckedIOException("cannot lock " + LOCK_FILE, e);
        }
        log.info("Network namespaces for nodes {} on {}0/24 (bridge {}, cut links by {})", nodes, network.subnet,
                network.bridge(), method);
        return network;
    }

    /** Everything but the first node's namespace, which {@link #create} made. */
    private void setUp() {
        String bridge = bridge();
        Commands.run("ip", "link", "add", bridge, "type", "bridge");
        Commands.run("ip", "addr", "add", subnet + "254/24", "dev", bridge);
        Commands.run("ip", "link", "set", bridge, "up");
        for (int node : nodes) {
            String ns = namespace(node);
            if (node != nodes.get(0)) {
                Commands.run("ip", "netns", "add", ns);
            }
            Commands.run("ip", "link", "add", veth(node), "type", "veth", "peer", "name", "eth0", "netns", ns);
            Commands.run("ip", "link", "set", veth(node), "master", bridge);
            Commands.run("ip", "link", "set", veth(node), "up");
            Commands.run("ip", "-n", ns, "addr", "add", host(node) + "/24", "dev", "eth0");
            Commands.run("ip", "-n", ns, "link", "set", "eth0", "up");
            Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    List<Integer> nodes() {
        return nodes;
    }

    String namespace(int node) {
        return "brook-" + tag + "-" + node;
    }

    String bridge() {
        return "brk-" + tag;
    }

    private String veth(int node) {
        return "vb-" + tag + "-" + node;
    }

    @Override
    public String host(int node) {
        return subnet + node;
    }

    /** The root namespace's address on the bridge: where the harness's connections come from. */
    String harnessAddress() {
        return subnet + "254";
    }

    @Override
    public int brokerPort(int node) {
        return BROKER_PORT;
    }

    @Override
    public int controllerPort(int node) {
        return CONTROLLER_PORT;
    }

    @Override
    public int raftPort(int node) {
        return RAFT_PORT;
    }

    @Override
    public List<String> launchPrefix(int node) {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    @Override
    public boolean supportsPartitions() {
        return true;
    }

    @Override
    public synchronized void apply(Partition partition) {
        if (closed) {
            throw new IllegalStateException("the network is closed");
        }
        for (Partition.Link link : partition.cut()) {
            if (!nodes.contains(link.low()) || !nodes.contains(link.high())) {
                throw new IllegalArgumentException("link " + link + " joins a node that is not one of " + nodes);
            }
        }
        Set<Partition.Link> restore = new TreeSet<>(current.cut());
        restore.removeAll(partition.cut());
        Set<Partition.Link> cut = new TreeSet<>(partition.cut());
        cut.removeAll(current.cut());
        if (restore.isEmpty() && cut.isEmpty()) {
            current = partition;
            return;
        }
        for (Partition.Link link : restore) {
            restoreDirection(link.low(), link.high());
            restoreDirection(link.high(), link.low());
        }
        for (Partition.Link link : cut) {
            cutDirection(link.low(), link.high());
            cutDirection(link.high(), link.low());
        }
        current = partition;
        log.info("Partition now {}", partition);
    }

    private void cutDirection(int from, int to) {
        switch (method) {
            case SILENT_DROP -> Commands.run("ip", "-n", namespace(from), "neigh", "replace", host(to), "lladdr",
                    NOBODY_MAC, "dev", "eth0", "nud", "permanent");
            case BLACKHOLE_ROUTE -> Commands.run("ip", "-n", namespace(from), "route", "add", "blackhole",
                    host(to) + "/32");
        }
    }

    private void restoreDirection(int from, int to) {
        switch (method) {
            // Without the entry the kernel resolves the peer's MAC again on the next packet.
            case SILENT_DROP -> Commands.run("ip", "-n", namespace(from), "neigh", "del", host(to), "dev", "eth0");
            case BLACKHOLE_ROUTE -> Commands.run("ip", "-n", namespace(from), "route", "del", "blackhole",
                    host(to) + "/32");
        }
    }

    @Override
    public synchronized Partition current() {
        return current;
    }

    @Override
    public String describe() {
        return "network namespaces brook-" + tag + "-N on " + subnet + "0/24 (bridge " + bridge() + ", partitions by "
                + method + ")";
    }

    /**
     * Kills any process left in the namespaces, then deletes the veths, the namespaces and the
     * bridge. Failures are logged, not thrown: the rest is still removed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (HostLock lock = HostLock.acquire()) {
            tearDown();
        } catch (IOException e) {
            tearDown(); // without the lock: removing our own names cannot hurt another run
        }
        log.info("Removed the network namespaces, veths and bridge of {}", tag);
    }

    private void tearDown() {
        for (int node : nodes) {
            removeNamespace(namespace(node));
            quietly("ip", "link", "del", veth(node));
        }
        quietly("ip", "link", "del", bridge());
    }

    /**
     * Removes what crashed runs left behind: namespaces (and the processes still in them), veths
     * and bridges named as this class names them whose owner process is gone. A live run's are
     * kept. Returns the names removed.
     */
    static List<String> removeLeftovers() {
        List<String> removed = new ArrayList<>();
        Commands.Result namespaces;
        try {
            namespaces = Commands.tryRun("ip", "netns", "list");
        } catch (UncheckedIOException noIp) {
            return removed; // no iproute2: nothing of ours can exist
        }
        try (HostLock lock = HostLock.acquire()) {
            if (namespaces.ok()) {
                for (String line : namespaces.output().lines().toList()) {
                    String name = line.split("\\s+")[0];
                    Matcher m = NAMESPACE.matcher(name);
                    if (m.matches() && !ownerAlive(m.group(1))) {
                        removeNamespace(name);
                        removed.add(name);
                    }
                }
            }
            Commands.Result links = Commands.tryRun("ip", "-o", "link", "show");
            if (links.ok()) {
                for (String line : links.output().lines().toList()) {
                    String[] words = line.split("\\s+");
                    if (words.length < 2) {
                        continue;
                    }
                    String name = words[1].replaceAll(":$", "").replaceAll("@.*$", "");
                    Matcher bridge = BRIDGE.matcher(name);
                    Matcher veth = VETH.matcher(name);
                    String owner = bridge.matches() ? bridge.group(1) : veth.matches() ? veth.group(1) : null;
                    if (owner != null && !ownerAlive(owner)) {
                        quietly("ip", "link", "del", name);
                        removed.add(name);
                    }
                }
            }
        } catch (IOException e) {
            // Not root (the lock file is root's): nothing of ours could be removed here anyway.
            log.debug("Leftovers not looked for: cannot lock {}: {}", LOCK_FILE, e.toString());
            return removed;
        }
        if (!removed.isEmpty()) {
            log.warn("Removed leftovers of crashed chaos runs: {}", removed);
        }
        return removed;
    }

    private static boolean ownerAlive(String pidBase36) {
        try {
            return ProcessHandle.of(Long.parseLong(pidBase36, 36)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a name of ours after all: leave it
        }
    }

    private static void removeNamespace(String ns) {
        Commands.Result pids = Commands.tryRun("ip", "netns", "pids", ns);
        if (pids.ok()) {
            for (String pid : pids.output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
                });
            }
        }
        quietly("ip", "netns", "del", ns);
    }

    private static void quietly(String... command) {
        Commands.Result result = Commands.tryRun(command);
        if (!result.ok() && !result.output().contains("Cannot find device")
                && !result.output().contains("No such file or directory")) {
            log.warn("`{}` failed: {}", String.join(" ", command), result.output());
        }
    }

    /**
     * Serializes subnet choice, setup and teardown across JVMs (a file lock) and within this JVM
     * (a monitor: one JVM cannot hold two locks on one file).
     */
    private record HostLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        private static final java.util.concurrent.locks.ReentrantLock IN_JVM = new java.util.concurrent.locks.ReentrantLock();

        static HostLock acquire() throws IOException {
            IN_JVM.lock();
            FileChannel channel = null;
            try {
                channel = FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                return new HostLock(channel, channel.lock());
            } catch (IOException | RuntimeException e) {
                if (channel != null) {
                    channel.close();
                }
                IN_JVM.unlock();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
                channel.close();
            } finally {
                IN_JVM.unlock();
            }
        }
    }

    /** 10.A.B. for a /24 derived from {@code tag} that no address or route of this host overlaps. */
    private static String freeSubnet(String tag) {
        List<int[]> taken = takenPrefixes();
        int hash = tag.hashCode() & 0x7fffffff;
        for (int attempt = 0; attempt < 127 * 256; attempt++) {
            int candidate = (hash + attempt) % (127 * 256);
            int a = 128 + candidate / 256;
            int b = candidate % 256;
            int network = (10 << 24) | (a << 16) | (b << 8);
            boolean clash = false;
            for (int[] prefix : taken) {
                int length = Math.min(24, prefix[1]);
                int mask = length == 0 ? 0 : -1 << (32 - length);
                if ((network & mask) == (prefix[0] & mask)) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                return "10." + a + "." + b + ".";
            }
        }
        throw new IllegalStateException("no free /24 in 10.128.0.0/9 for a chaos network");
    }

    /** Every IPv4 prefix (address, length) of this host's addresses and routes, default routes left out. */
    private static List<int[]> takenPrefixes() {
        List<int[]> prefixes = new ArrayList<>();
        for (String line : Commands.run("ip", "-4", "route", "show", "table", "all").lines().toList()) {
            String[] words = line.strip().split("\\s+");
            // "10.1.2.0/24 dev x ...", "local 127.0.0.1 dev lo ...", "broadcast ...", "blackhole ..."
            String destination = words.length > 1 && !IPV4_PREFIX.matcher(words[0]).matches() ? words[1] : words[0];
            addPrefix(prefixes, destination);
        }
        for (String line : Commands.run("ip", "-4", "-o", "addr", "show").lines().toList()) {
            String[] words = line.strip().split("\\s+");
            for (int k = 0; k + 1 < words.length; k++) {
                if (words[k].equals("inet")) {
                    addPrefix(prefixes, words[k + 1]);
                }
            }
        }
        return prefixes;
    }

    private static void addPrefix(List<int[]> prefixes, String text) {
        Matcher m = IPV4_PREFIX.matcher(text);
        if (!m.matches()) {
            return;
        }
        int address = 0;
        for (int k = 1; k <= 4; k++) {
            address = (address << 8) | Integer.parseInt(m.group(k));
        }
        int length = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
        if (length > 0) {
            prefixes.add(new int[] {address, length});
        }
    }
}
