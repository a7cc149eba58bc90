package io.brook.client;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigValues;
import java.util.Map;

/** The admin client's keys: the {@link ClientConfig shared ones}. */
public final class AdminConfig {
    private AdminConfig() {}

    public static final ConfigDefinitions DEFINITIONS = ClientConfig.DEFINITIONS;

    static ConfigValues parse(Map<String, ?> config) {
        return ClientConfig.parse(DEFINITIONS, config);
    }
}
