package io.brook.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
    @Test
    void portsAreDistinctBindableAndOutsideTheEphemeralRange() throws Exception {
        int[] first = LoopbackPorts.free(20);
        int[] second = LoopbackPorts.free(20);
        int[] all = new int[40];
        System.arraycopy(first, 0, all, 0, 20);
        System.arraycopy(second, 0, all, 20, 20);
        assertEquals(40, Arrays.stream(all).distinct().count(), "a port handed out twice: " + Arrays.toString(all));
        int ephemeralLow = LoopbackPorts.ephemeralLow();
        assertTrue(ephemeralLow > 10_000, "ephemeral range read as starting at " + ephemeralLow);
        for (int port : all) {
            assertTrue(port >= 10_000 && port < ephemeralLow, port + " is not below the ephemeral range " + ephemeralLow);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }
}
