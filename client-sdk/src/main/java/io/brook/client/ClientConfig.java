package io.brook.client;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The keys every client shares (producer, consumer, admin), with Kafka's names and defaults. A
 * client's configuration is a map of text values, as in a {@code .properties} file; an unknown key
 * or an invalid value is a {@link io.brook.common.ConfigException} naming the key.
 */
public final class ClientConfig {
    private ClientConfig() {}

    public static final ConfigKey<List<String>> BOOTSTRAP_SERVERS = ConfigKey.listKey("bootstrap.servers")
            .validator(ConfigValidator.nonEmpty())
            .doc("host:port of one or more brokers (comma-separated) from which the client learns the whole "
                    + "cluster; the others are found through metadata.")
            .build();
    public static final ConfigKey<String> CLIENT_ID = ConfigKey.stringKey("client.id").defaultValue("")
            .doc("A name for this client, sent to the brokers with its requests and used in its log lines.")
            .build();
    public static final ConfigKey<Integer> REQUEST_TIMEOUT_MS = ConfigKey.intKey("request.timeout.ms")
            .defaultValue(30_000).validator(ConfigValidator.atLeast(1))
            .doc("How long the client waits for the answer to one request before it gives up on that "
                    + "request (and retries it, when retries are left). A request that timed out may still "
                    + "have taken effect.")
            .build();
    public static final ConfigKey<Long> RETRY_BACKOFF_MS = ConfigKey.longKey("retry.backoff.ms")
            .defaultValue(100L).validator(ConfigValidator.atLeast(0L))
            .doc("The first wait before retrying a failed request; it doubles on each further failure up "
                    + "to retry.backoff.max.ms, with 20% jitter.")
            .build();
    public static final ConfigKey<Long> RETRY_BACKOFF_MAX_MS = ConfigKey.longKey("retry.backoff.max.ms")
            .defaultValue(1_000L).validator(ConfigValidator.atLeast(0L))
            .doc("The longest wait between retries of a failed request.")
            .build();
    public static final ConfigKey<Long> METADATA_MAX_AGE_MS = ConfigKey.longKey("metadata.max.age.ms")
            .defaultValue(300_000L).validator(ConfigValidator.atLeast(0L))
            .doc("Metadata (partition leaders, brokers) is refreshed at least this often even when nothing "
                    + "says it changed.")
            .build();
    public static final ConfigKey<Integer> DEFAULT_API_TIMEOUT_MS = ConfigKey.intKey("default.api.timeout.ms")
            .defaultValue(60_000).validator(ConfigValidator.atLeast(0))
            .doc("The bound on a blocking client call that takes no timeout of its own (admin calls, "
                    + "consumer position and offset lookups).")
            .build();

    /** The shared keys. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(BOOTSTRAP_SERVERS, CLIENT_ID,
            REQUEST_TIMEOUT_MS, RETRY_BACKOFF_MS, RETRY_BACKOFF_MAX_MS, METADATA_MAX_AGE_MS, DEFAULT_API_TIMEOUT_MS);

    /** Text values from a map whose values may be of any type ({@code 5}, {@code "5"}, {@code true}). */
    static Map<String, String> text(Map<String, ?> config) {
        Map<String, String> raw = new HashMap<>();
        config.forEach((key, value) -> {
            if (value != null) {
                raw.put(key, value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                        : String.valueOf(value));
            }
        });
        return raw;
    }

    static Map<String, String> text(Properties properties) {
        Map<String, String> raw = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            raw.put(name, properties.getProperty(name));
        }
        return raw;
    }

    static ConfigValues parse(ConfigDefinitions definitions, Map<String, ?> config) {
        return definitions.parse(text(config));
    }
}
