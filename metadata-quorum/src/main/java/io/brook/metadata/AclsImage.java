package io.brook.metadata;

import java.util.Map;
import java.util.UUID;

/** All ACL entries by id. */
public record AclsImage(Map<UUID, AclEntry> acls) {
    public static final AclsImage EMPTY = new AclsImage(Map.of());

    public AclsImage {
        acls = Map.copyOf(acls);
    }
}
