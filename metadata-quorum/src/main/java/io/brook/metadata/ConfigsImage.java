package io.brook.metadata;

import java.util.Map;

/** Dynamic config entries per resource. A resource with no entries is absent. */
public record ConfigsImage(Map<ConfigResource, Map<String, String>> resources) {
    public static final ConfigsImage EMPTY = new ConfigsImage(Map.of());

    public ConfigsImage {
        resources = Map.copyOf(resources);
    }

    /** The entries of one resource; empty when it has none. */
    public Map<String, String> configs(ConfigResource resource) {
        return resources.getOrDefault(resource, Map.of());
    }
}
