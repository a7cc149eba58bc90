package io.brook.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Free ports on 127.0.0.1 for servers that must know their port before they bind it (Raft peers,
 * controller listeners, separate node processes).
 *
 * <p>A port probed with {@code bind(0)} comes from the kernel's ephemeral range, the same range the
 * kernel draws from for every outgoing connection's local port and every other {@code bind(0)}:
 * between the probe and the real bind (or while a stopped node is down) some connection can take
 * it, and the server then fails to start — Ratis even exits the JVM when its gRPC server cannot
 * bind. So ports come from below the ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}
 * on Linux), which nothing takes implicitly, walking from a point spread by process id so that
 * concurrent JVMs rarely probe the same ports, and never handing the same port out twice in one JVM.
 */
public final class LoopbackPorts {
    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_LOW = ephemeralLow();
    private static int next = LOWEST + (int) ((ProcessHandle.current().pid() * 7919L) % (EPHEMERAL_LOW - LOWEST));

    private LoopbackPorts() {}

    /** One free port. */
    public static int free() {
        return free(1)[0];
    }

    /** {@code count} distinct ports, each free on 127.0.0.1 at the time of the call. */
    public static synchronized int[] free(int count) {
        int[] ports = new int[count];
        List<ServerSocket> held = new ArrayList<>();
        try {
            int found = 0;
            for (int tried = 0; found < count && tried < EPHEMERAL_LOW - LOWEST; tried++) {
                int port = next;
                next = next + 1 >= EPHEMERAL_LOW ? LOWEST : next + 1;
                ServerSocket socket = tryBind(port);
                if (socket != null) {
                    held.add(socket);
                    ports[found++] = port;
                }
            }
            if (found < count) {
                throw new IllegalStateException("no " + count + " free ports on 127.0.0.1 in [" + LOWEST + ", " + EPHEMERAL_LOW + ")");
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private static ServerSocket tryBind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return socket;
            } catch (IOException e) {
                socket.close();
                return null;
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The lowest port of the kernel's ephemeral range (32768 where it cannot be read). */
    static int ephemeralLow() {
        try {
            // Not Files.readString: /proc files report size 0 and it reads them short.
            String range;
            try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            }
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
