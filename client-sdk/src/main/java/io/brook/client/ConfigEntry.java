package io.brook.client;

import java.util.Optional;

/**
 * One config key of a {@link ConfigResource} as {@link BrookAdmin#describeConfigs} reports it:
 * its value (empty when the key has no value, as a key without a default), where the value comes
 * from, whether it can be changed at run time, and its documentation.
 */
public record ConfigEntry(String name, Optional<String> value, Source source, boolean readOnly,
        String documentation) {

    /** Where a value comes from (Kafka's {@code ConfigEntry.ConfigSource}, shortened). */
    public enum Source {
        /** The key's definition. */
        DEFAULT,
        /** The node's configuration file. */
        STATIC,
        /** Set through the admin API on this resource (the topic or the broker). */
        DYNAMIC,
        /** Set through the admin API as the cluster-wide broker default. */
        DYNAMIC_DEFAULT,
        /** A source this client does not know (a newer broker). */
        UNKNOWN
    }
}
