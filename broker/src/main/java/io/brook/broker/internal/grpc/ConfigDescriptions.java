package io.brook.broker.internal.grpc;

import io.brook.api.v1.ConfigEntry;
import io.brook.api.v1.ConfigResourceKind;
import io.brook.api.v1.ConfigResourceRef;
import io.brook.api.v1.ConfigSource;
import io.brook.api.v1.DescribeConfigsResult;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataImage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code DescribeConfigs} answered from the broker's metadata image, one resource at a time.
 * Immutable and thread-safe.
 *
 * <p>What each resource shows, sorted by key:
 * <ul>
 *   <li>A topic: its explicitly set entries as {@code DYNAMIC}, then every other key of the topic
 *       definitions as {@code DEFAULT} with the definition's default (no value when the key has
 *       none). An unknown topic is {@code UNKNOWN_TOPIC_OR_PARTITION}. The default shown is the
 *       definition's, not a broker-level override of it (a broker's own file is not in the image).
 *   <li>A broker (name = its id): its dynamic entries as {@code DYNAMIC}, then the cluster-wide
 *       dynamic entries it does not override as {@code DYNAMIC_DEFAULT}. The broker named with an
 *       empty name is the cluster-wide default: its entries as {@code DYNAMIC_DEFAULT}. Static
 *       values and definition defaults are not reported: each broker's file is known only to that
 *       broker. A name that is not a broker id is {@code INVALID_REQUEST}.
 *   <li>Any other kind is {@code INVALID_REQUEST}.
 * </ul>
 * Only the requested keys are returned when some are given (an unknown key is simply absent);
 * documentation comes from the definitions when asked for and the key is defined.
 */
final class ConfigDescriptions {
    private final ConfigDefinitions topicDefinitions;
    private final ConfigDefinitions brokerDefinitions;

    ConfigDescriptions(ConfigDefinitions topicDefinitions, ConfigDefinitions brokerDefinitions) {
        this.topicDefinitions = topicDefinitions;
        this.brokerDefinitions = brokerDefinitions;
    }

    /**
     * @param keys only these keys; empty: every key
     */
    DescribeConfigsResult describe(MetadataImage image, ConfigResourceRef resource, Set<String> keys,
            boolean includeDocumentation) {
        DescribeConfigsResult.Builder result = DescribeConfigsResult.newBuilder().setResource(resource)
                .setErrorCode(ErrorCode.NONE);
        Map<String, ConfigEntry> entries = new TreeMap<>();
        switch (resource.getKind()) {
            case TOPIC -> {
                if (image.topics().topic(resource.getName()) == null) {
                    return failed(result, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                            "Topic '" + resource.getName() + "' does not exist (in this broker's metadata).");
                }
                add(entries, image.configs().configs(ConfigResource.topic(resource.getName())), ConfigSource.DYNAMIC);
                for (ConfigKey<?> key : topicDefinitions.keys()) {
                    entries.computeIfAbsent(key.name(), name -> entry(name, formatDefault(key), ConfigSource.DEFAULT));
                }
            }
            case BROKER -> {
                String name = resource.getName();
                if (!name.isEmpty() && !name.matches("\\d{1,9}")) {
                    return failed(result, ErrorCode.INVALID_REQUEST,
                            "A broker config resource is named by the broker id (or empty for the cluster-wide "
                                    + "default), not '" + name + "'.");
                }
                if (!name.isEmpty()) {
                    add(entries, image.configs().configs(ConfigResource.broker(Integer.parseInt(name))),
                            ConfigSource.DYNAMIC);
                }
                add(entries, image.configs().configs(ConfigResource.cluster()), ConfigSource.DYNAMIC_DEFAULT);
            }
            default -> {
                return failed(result, ErrorCode.INVALID_REQUEST,
                        "Unknown config resource kind " + resource.getKindValue() + " (expected TOPIC or BROKER).");
            }
        }
        ConfigDefinitions definitions = resource.getKind() == ConfigResourceKind.TOPIC
                ? topicDefinitions : brokerDefinitions;
        for (ConfigEntry entry : entries.values()) {
            if (!keys.isEmpty() && !keys.contains(entry.getName())) {
                continue;
            }
            ConfigKey<?> key = definitions.key(entry.getName());
            if (includeDocumentation && key != null) {
                entry = entry.toBuilder().setDocumentation(key.doc()).build();
            }
            result.addEntries(entry);
        }
        return result.build();
    }

    /** Adds the entries of {@code values} not already present, with the given source. */
    private static void add(Map<String, ConfigEntry> entries, Map<String, String> values, ConfigSource source) {
        values.forEach((name, value) -> entries.putIfAbsent(name, entry(name, value, source)));
    }

    private static ConfigEntry entry(String name, String value, ConfigSource source) {
        ConfigEntry.Builder entry = ConfigEntry.newBuilder().setName(name).setSource(source);
        if (value != null) {
            entry.setValue(value);
        }
        return entry.build();
    }

    /** The default as it would be written in a properties file; null when the key has none. */
    static String formatDefault(ConfigKey<?> key) {
        Object value = key.defaultValue();
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    private static DescribeConfigsResult failed(DescribeConfigsResult.Builder result, ErrorCode code, String message) {
        return result.setErrorCode(code).setErrorMessage(message).build();
    }
}
