package io.brook.client;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigException;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import java.util.Map;

/**
 * The producer's keys, with Kafka's names and defaults, plus the {@link ClientConfig shared ones}.
 *
 * <p>Idempotence is on by default, as in Kafka 3+: it needs {@code acks=all} and at most 5
 * requests in flight per partition. When {@code enable.idempotence} is not set and another key
 * rules it out, it is switched off quietly; when it is set to true explicitly, the conflict is a
 * {@link ConfigException}.
 */
public final class ProducerConfig {
    private ProducerConfig() {}

    public static final ConfigKey<String> ACKS = ConfigKey.stringKey("acks").defaultValue("all")
            .validator(ConfigValidator.oneOf("all", "-1", "0", "1"))
            .doc("How many replicas must have a batch before the producer counts it sent: 0 (no answer "
                    + "awaited, nothing known), 1 (the leader), all or -1 (every in-sync replica, at least "
                    + "min.insync.replicas of them).")
            .build();
    public static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.intKey("batch.size").defaultValue(16_384)
            .validator(ConfigValidator.atLeast(0))
            .doc("The most bytes of records the producer gathers in one batch for one partition before it "
                    + "sends the batch (a single larger record gets a batch of its own).")
            .build();
    public static final ConfigKey<Long> LINGER_MS = ConfigKey.longKey("linger.ms").defaultValue(5L)
            .validator(ConfigValidator.atLeast(0L))
            .doc("How long a batch that is not full waits for more records before it is sent.")
            .build();
    public static final ConfigKey<String> COMPRESSION_TYPE = ConfigKey.stringKey("compression.type")
            .defaultValue("none").validator(ConfigValidator.oneOf("none", "gzip", "snappy", "lz4", "zstd"))
            .doc("The codec batches are compressed with on the producer; the broker stores them as they come.")
            .build();
    public static final ConfigKey<Boolean> ENABLE_IDEMPOTENCE = ConfigKey.booleanKey("enable.idempotence")
            .defaultValue(true)
            .doc("Write each record exactly once per partition, in order, across retries and leader "
                    + "changes (a producer id and per-partition sequence numbers). Needs acks=all and "
                    + "max.in.flight.requests.per.connection <= 5.")
            .build();
    public static final ConfigKey<Integer> MAX_IN_FLIGHT = ConfigKey.intKey("max.in.flight.requests.per.connection")
            .defaultValue(5).validator(ConfigValidator.atLeast(1))
            .doc("The most batches of one partition sent and not yet answered. With idempotence at most 5, "
                    + "and order is kept across retries; without it, more than 1 may reorder on retry.")
            .build();
    public static final ConfigKey<Integer> RETRIES = ConfigKey.intKey("retries").defaultValue(Integer.MAX_VALUE)
            .validator(ConfigValidator.atLeast(0))
            .doc("How many times a batch that failed with a retriable error is sent again; delivery.timeout.ms "
                    + "bounds the retries in time.")
            .build();
    public static final ConfigKey<Integer> DELIVERY_TIMEOUT_MS = ConfigKey.intKey("delivery.timeout.ms")
            .defaultValue(120_000).validator(ConfigValidator.atLeast(1))
            .doc("The bound on the time from send() returning until the record's outcome is known: success, "
                    + "failure, or a TimeoutException (indeterminate: the record may have been written).")
            .build();
    public static final ConfigKey<Long> BUFFER_MEMORY = ConfigKey.longKey("buffer.memory").defaultValue(33_554_432L)
            .validator(ConfigValidator.atLeast(1024L))
            .doc("The most bytes of records waiting to be sent or answered; when it is full, send() blocks "
                    + "up to max.block.ms.")
            .build();
    public static final ConfigKey<Long> MAX_BLOCK_MS = ConfigKey.longKey("max.block.ms").defaultValue(60_000L)
            .validator(ConfigValidator.atLeast(0L))
            .doc("How long send() may block waiting for buffer memory or for the topic's metadata before it "
                    + "throws a TimeoutException (then nothing was sent).")
            .build();
    public static final ConfigKey<Integer> MAX_REQUEST_SIZE = ConfigKey.intKey("max.request.size")
            .defaultValue(1_048_576).validator(ConfigValidator.atLeast(1))
            .doc("The largest record (key, value and headers, encoded) the producer accepts; a larger one "
                    + "fails with RecordTooLargeException without being sent.")
            .build();

    public static final ConfigDefinitions DEFINITIONS = ClientConfig.DEFINITIONS.plus(ConfigDefinitions.of(
            ACKS, BATCH_SIZE, LINGER_MS, COMPRESSION_TYPE, ENABLE_IDEMPOTENCE, MAX_IN_FLIGHT, RETRIES,
            DELIVERY_TIMEOUT_MS, BUFFER_MEMORY, MAX_BLOCK_MS, MAX_REQUEST_SIZE));

    /** Parses and checks a producer configuration. */
    static ConfigValues parse(Map<String, ?> config) {
        ConfigValues values = ClientConfig.parse(DEFINITIONS, config);
        if (values.isSet(ENABLE_IDEMPOTENCE) && values.get(ENABLE_IDEMPOTENCE)) {
            if (!isAll(values.get(ACKS))) {
                throw new ConfigException(ACKS.name(), "enable.idempotence=true needs acks=all, not acks="
                        + values.get(ACKS) + ".");
            }
            if (values.get(MAX_IN_FLIGHT) > 5) {
                throw new ConfigException(MAX_IN_FLIGHT.name(), "enable.idempotence=true needs "
                        + MAX_IN_FLIGHT.name() + " <= 5, not " + values.get(MAX_IN_FLIGHT) + ".");
            }
        }
        return values;
    }

    /** Whether this configuration produces idempotently (see the class comment). */
    static boolean idempotent(ConfigValues values) {
        return values.get(ENABLE_IDEMPOTENCE) && isAll(values.get(ACKS)) && values.get(MAX_IN_FLIGHT) <= 5;
    }

    /** {@code acks} as the wire number: -1 for all. */
    static int acks(ConfigValues values) {
        return isAll(values.get(ACKS)) ? -1 : Integer.parseInt(values.get(ACKS));
    }

    private static boolean isAll(String acks) {
        return acks.equals("all") || acks.equals("-1");
    }
}
