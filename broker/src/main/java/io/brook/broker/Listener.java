package io.brook.broker;

import io.brook.common.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One listener of {@code listeners}: {@code NAME://host:port}. An empty host binds every
 * interface (Kafka's rule); port 0 picks a free port.
 */
public record Listener(String name, String host, int port) {

    /** Parses {@code listeners}-style entries; errors name {@code key}. */
    static List<Listener> parseAll(String key, List<String> entries) {
        List<Listener> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String entry : entries) {
            Listener listener = parse(key, entry.trim());
            if (!names.add(listener.name())) {
                throw new ConfigException(key, "Listener name " + listener.name() + " appears twice in " + key + ".");
            }
            out.add(listener);
        }
        return out;
    }

    static Listener parse(String key, String entry) {
        int scheme = entry.indexOf("://");
        int colon = entry.lastIndexOf(':');
        if (scheme <= 0 || colon <= scheme) {
            throw new ConfigException(key, "Invalid listener '" + entry + "' in " + key
                    + ": expected NAME://host:port, for example PLAINTEXT://0.0.0.0:9092.");
        }
        String name = entry.substring(0, scheme).toUpperCase(java.util.Locale.ROOT);
        String host = entry.substring(scheme + 3, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, "Invalid port in listener '" + entry + "' in " + key + ": 0 to 65535.");
        }
        return new Listener(name, host, port);
    }

    /** The address to bind: the host, or every interface when it is empty. */
    public String bindHost() {
        return host.isEmpty() ? "0.0.0.0" : host;
    }
}
