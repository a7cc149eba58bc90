package io.brook.metadata;

import io.brook.api.internal.metadata.AccessControlEntryRecord;
import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.AclPatternType;
import io.brook.api.internal.metadata.AclPermissionType;
import io.brook.api.internal.metadata.AclResourceType;
import java.util.Objects;
import java.util.UUID;

/** One access-control entry as committed; {@code id} is assigned by the controller. */
public record AclEntry(
        UUID id,
        AclResourceType resourceType,
        String resourceName,
        AclPatternType patternType,
        String principal,
        String host,
        AclOperation operation,
        AclPermissionType permissionType) {

    public AclEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permissionType, "permissionType");
    }

    static AclEntry fromRecord(AccessControlEntryRecord r) {
        return new AclEntry(Uuids.fromProto(r.getId()), r.getResourceType(), r.getResourceName(), r.getPatternType(),
                r.getPrincipal(), r.getHost(), r.getOperation(), r.getPermissionType());
    }

    public AccessControlEntryRecord toRecord() {
        return AccessControlEntryRecord.newBuilder()
                .setId(Uuids.toProto(id))
                .setResourceType(resourceType)
                .setResourceName(resourceName)
                .setPatternType(patternType)
                .setPrincipal(principal)
                .setHost(host)
                .setOperation(operation)
                .setPermissionType(permissionType)
                .build();
    }

    /** Whether this entry has the same binding (everything but the id) as {@code other}. */
    public boolean sameBinding(AclEntry other) {
        return resourceType == other.resourceType
                && resourceName.equals(other.resourceName)
                && patternType == other.patternType
                && principal.equals(other.principal)
                && host.equals(other.host)
                && operation == other.operation
                && permissionType == other.permissionType;
    }
}
