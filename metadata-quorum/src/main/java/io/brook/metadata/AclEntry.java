package io.brook.metadata;

import io.brook.api.internal.metadata.AccessControlEntryRecord;
import io.brook.api.internal.metadata.AclBinding;
import java.util.Objects;
import java.util.UUID;

/** One access-control entry as committed: its binding and the id the controller gave it. */
public record AclEntry(UUID id, AclBinding binding) {

    public AclEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(binding, "binding");
    }

    static AclEntry fromRecord(AccessControlEntryRecord r) {
        return new AclEntry(Uuids.fromProto(r.getId()), r.getBinding());
    }

    public AccessControlEntryRecord toRecord() {
        return AccessControlEntryRecord.newBuilder().setId(Uuids.toProto(id)).setBinding(binding).build();
    }
}
