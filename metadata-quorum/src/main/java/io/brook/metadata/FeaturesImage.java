package io.brook.metadata;

import java.util.Map;

/** Finalized feature levels by name (for example {@code metadata.version}). */
public record FeaturesImage(Map<String, Integer> levels) {
    public static final FeaturesImage EMPTY = new FeaturesImage(Map.of());

    public FeaturesImage {
        levels = Map.copyOf(levels);
    }

    /** The level of a feature, 0 when it is not finalized. */
    public int level(String feature) {
        return levels.getOrDefault(feature, 0);
    }
}
