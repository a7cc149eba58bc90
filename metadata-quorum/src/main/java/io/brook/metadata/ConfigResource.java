package io.brook.metadata;

import io.brook.api.internal.metadata.ConfigResourceType;
import java.util.Comparator;
import java.util.Objects;

/**
 * The entity a config entry belongs to: the cluster (name empty), a broker (name = its id) or a
 * topic (name = the topic name).
 */
public record ConfigResource(ConfigResourceType type, String name) implements Comparable<ConfigResource> {
    private static final Comparator<ConfigResource> ORDER =
            Comparator.comparing(ConfigResource::type).thenComparing(ConfigResource::name);

    public ConfigResource {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    public static ConfigResource cluster() {
        return new ConfigResource(ConfigResourceType.CONFIG_RESOURCE_CLUSTER, "");
    }

    public static ConfigResource broker(int id) {
        return new ConfigResource(ConfigResourceType.CONFIG_RESOURCE_BROKER, Integer.toString(id));
    }

    public static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResourceType.CONFIG_RESOURCE_TOPIC, name);
    }

    @Override
    public int compareTo(ConfigResource o) {
        return ORDER.compare(this, o);
    }
}
