package io.brook.metadata;

import io.brook.api.internal.metadata.Uuid;
import java.util.Random;
import java.util.UUID;

/** Conversions between {@link UUID} and the record format's {@link Uuid}, and seeded ids. */
public final class Uuids {
    private Uuids() {}

    public static Uuid toProto(UUID id) {
        return Uuid.newBuilder()
                .setMostSignificant(id.getMostSignificantBits())
                .setLeastSignificant(id.getLeastSignificantBits())
                .build();
    }

    public static UUID fromProto(Uuid id) {
        return new UUID(id.getMostSignificant(), id.getLeastSignificant());
    }

    /**
     * A random (version 4) id drawn from the given source, so that controller logic stays
     * deterministic under a seeded {@link Random}. Never the all-zero id.
     */
    public static UUID random(Random random) {
        while (true) {
            long most = (random.nextLong() & ~0xF000L) | 0x4000L;
            long least = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
            UUID id = new UUID(most, least);
            if (most != 0 || least != 0) {
                return id;
            }
        }
    }
}
