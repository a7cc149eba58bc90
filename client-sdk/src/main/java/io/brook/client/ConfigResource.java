package io.brook.client;

import java.util.Objects;

/**
 * What configs belong to: a topic (by name) or a broker (by id; the empty name is the cluster-wide
 * default of every broker).
 */
public record ConfigResource(Type type, String name) {
    public enum Type { TOPIC, BROKER }

    public ConfigResource {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    public static ConfigResource topic(String name) {
        return new ConfigResource(Type.TOPIC, name);
    }

    public static ConfigResource broker(int brokerId) {
        return new ConfigResource(Type.BROKER, Integer.toString(brokerId));
    }

    /** The cluster-wide broker default: the dynamic configs every broker has unless it sets its own. */
    public static ConfigResource brokerDefault() {
        return new ConfigResource(Type.BROKER, "");
    }

    @Override
    public String toString() {
        return switch (type) {
            case TOPIC -> "topic '" + name + "'";
            case BROKER -> name.isEmpty() ? "the cluster-wide broker default" : "broker " + name;
        };
    }
}
