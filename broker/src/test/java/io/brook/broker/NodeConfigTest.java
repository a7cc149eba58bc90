package io.brook.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    private static Map<String, String> controller() {
        Map<String, String> raw = new HashMap<>();
        raw.put("node.id", "1");
        raw.put("process.roles", "controller");
        raw.put("listeners", "CONTROLLER://127.0.0.1:9093");
        raw.put("controller.quorum.voters", "1@127.0.0.1:9193");
        raw.put("log.dirs", "/var/brook/a,/var/brook/b");
        return raw;
    }

    private static ConfigException rejected(Map<String, String> raw) {
        return assertThrows(ConfigException.class, () -> NodeConfig.parse(raw));
    }

    @Test
    void aControllerConfigurationParsesWithKafkaNames() {
        NodeConfig config = NodeConfig.parse(controller());
        assertEquals(1, config.nodeId());
        assertTrue(config.isController());
        assertEquals(new Listener("CONTROLLER", "127.0.0.1", 9093), config.controllerListener());
        assertEquals(Path.of("/var/brook/a"), config.metadataDir(), "the first log dir by default");
        assertEquals(List.of(Path.of("/var/brook/a"), Path.of("/var/brook/b")), config.logDirs());
    }

    @Test
    void anUnknownKeyIsAnErrorNamingIt() {
        Map<String, String> raw = controller();
        raw.put("log.dir", "/tmp/x");
        ConfigException e = rejected(raw);
        assertEquals("log.dir", e.key());
        assertTrue(e.getMessage().contains("log.dirs"), "suggests the near key: " + e.getMessage());
    }

    @Test
    void invalidValuesAreErrorsNamingTheKey() {
        Map<String, String> roles = controller();
        roles.put("process.roles", "controller,zookeeper");
        assertEquals("process.roles", rejected(roles).key());
        Map<String, String> listener = controller();
        listener.put("listeners", "CONTROLLER:127.0.0.1:9093");
        assertEquals("listeners", rejected(listener).key());
        Map<String, String> port = controller();
        port.put("listeners", "CONTROLLER://127.0.0.1:99999");
        assertEquals("listeners", rejected(port).key());
        Map<String, String> missing = controller();
        missing.remove("node.id");
        assertEquals("node.id", rejected(missing).key());
    }

    @Test
    void aControllerNeedsItsListenerAndItsPlaceAmongTheVoters() {
        Map<String, String> noListener = controller();
        noListener.put("listeners", "PLAINTEXT://:9092");
        ConfigException e = rejected(noListener);
        assertEquals("listeners", e.key());
        assertTrue(e.getMessage().contains("CONTROLLER"), e.getMessage());
        Map<String, String> notVoter = controller();
        notVoter.put("node.id", "7");
        assertEquals("controller.quorum.voters", rejected(notVoter).key());
        notVoter.put("controller.quorum.listen.address", "127.0.0.1:9194");
        assertEquals(7, NodeConfig.parse(notVoter).nodeId(), "a joining controller sets its own Raft address");
    }

    @Test
    void aBrokerNeedsItsControllersAndAClientListener() {
        Map<String, String> broker = new HashMap<>();
        broker.put("node.id", "4");
        broker.put("process.roles", "broker");
        broker.put("listeners", "PLAINTEXT://:9092");
        broker.put("controller.quorum.voters", "1@127.0.0.1:9193");
        broker.put("log.dirs", "/var/brook/a");
        assertEquals("controller.quorum.bootstrap.servers", rejected(broker).key());
        broker.put("controller.quorum.bootstrap.servers", "127.0.0.1:9093");
        assertEquals(List.of("127.0.0.1:9093"), NodeConfig.parse(broker).controllerAddresses());
        Map<String, String> combined = controller();
        combined.put("process.roles", "broker,controller");
        assertEquals("listeners", rejected(combined).key(), "no listener for clients");
        combined.put("listeners", "PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093");
        combined.put("controller.quorum.voters", "1@127.0.0.1:9193,2@127.0.0.1:9194,3@127.0.0.1:9195");
        assertEquals("controller.quorum.bootstrap.servers", rejected(combined).key(),
                "a combined node of a 3-controller quorum must know every controller's listener");
        combined.put("controller.quorum.bootstrap.servers", "127.0.0.1:9093,127.0.0.1:9094,127.0.0.1:9095");
        assertEquals(3, NodeConfig.parse(combined).controllerAddresses().size());
    }
}
