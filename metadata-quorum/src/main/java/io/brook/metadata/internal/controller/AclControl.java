package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.AclCreationResult;
import io.brook.api.internal.controller.AclFilter;
import io.brook.api.internal.controller.AclFilterResult;
import io.brook.api.internal.controller.CreateAclsRequest;
import io.brook.api.internal.controller.CreateAclsResponse;
import io.brook.api.internal.controller.DeleteAclsRequest;
import io.brook.api.internal.controller.DeleteAclsResponse;
import io.brook.api.internal.metadata.AclBinding;
import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.AclPatternType;
import io.brook.api.internal.metadata.AclPermissionType;
import io.brook.api.internal.metadata.AclResourceType;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.RemoveAccessControlEntryRecord;
import io.brook.metadata.AclEntry;
import io.brook.metadata.Uuids;
import java.util.Comparator;
import java.util.Random;
import java.util.UUID;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ACL creation (idempotent: an identical binding is stored once) and deletion by filter. Pure:
 * the image in, records and the answer out.
 */
final class AclControl {
    private AclControl() {}

    static ControllerResult<CreateAclsResponse> createAcls(MetadataImage speculative, CreateAclsRequest request,
            Random random) {
        List<MetadataRecord> records = new ArrayList<>();
        List<AclEntry> added = new ArrayList<>();
        CreateAclsResponse.Builder response = CreateAclsResponse.newBuilder().setError(ControllerErrors.ok());
        for (AclBinding binding : request.getCreationsList()) {
            String problem = checkAcl(binding);
            if (problem != null) {
                response.addResults(AclCreationResult.newBuilder().setErrorCode(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage(problem));
                continue;
            }
            AclEntry entry = new AclEntry(Uuids.random(random), binding);
            boolean exists = speculative.acls().acls().values().stream().anyMatch(e -> e.binding().equals(binding))
                    || added.stream().anyMatch(e -> e.binding().equals(binding));
            if (!exists) {
                added.add(entry);
                records.add(MetadataRecord.newBuilder().setAccessControlEntry(entry.toRecord()).build());
            }
            response.addResults(AclCreationResult.newBuilder().setErrorCode(ErrorCode.NONE));
        }
        return new ControllerResult<>(records, response.build());
    }

    private static String checkAcl(AclBinding b) {
        if (b.getResourceType() == AclResourceType.ACL_RESOURCE_UNKNOWN || b.getResourceType() == AclResourceType.UNRECOGNIZED) {
            return "the ACL needs a resource type";
        }
        if (b.getPatternType() == AclPatternType.ACL_PATTERN_UNKNOWN || b.getPatternType() == AclPatternType.UNRECOGNIZED) {
            return "the ACL needs a pattern type (literal or prefixed)";
        }
        if (b.getOperation() == AclOperation.ACL_OPERATION_UNKNOWN || b.getOperation() == AclOperation.UNRECOGNIZED) {
            return "the ACL needs an operation";
        }
        if (b.getPermissionType() == AclPermissionType.ACL_PERMISSION_UNKNOWN
                || b.getPermissionType() == AclPermissionType.UNRECOGNIZED) {
            return "the ACL needs a permission type (allow or deny)";
        }
        if (b.getResourceName().isEmpty()) {
            return "the ACL needs a resource name";
        }
        if (!b.getPrincipal().contains(":")) {
            return "principal '" + b.getPrincipal() + "' must look like Type:name, for example User:alice";
        }
        if (b.getHost().isEmpty()) {
            return "the ACL needs a host ('*' for every host)";
        }
        return null;
    }

    static boolean matches(AclFilter f, AclBinding e) {
        return (f.getResourceType() == AclResourceType.ACL_RESOURCE_UNKNOWN || f.getResourceType() == e.getResourceType())
                && (!f.hasResourceName() || f.getResourceName().equals(e.getResourceName()))
                && (f.getPatternType() == AclPatternType.ACL_PATTERN_UNKNOWN || f.getPatternType() == e.getPatternType())
                && (!f.hasPrincipal() || f.getPrincipal().equals(e.getPrincipal()))
                && (!f.hasHost() || f.getHost().equals(e.getHost()))
                && (f.getOperation() == AclOperation.ACL_OPERATION_UNKNOWN || f.getOperation() == e.getOperation())
                && (f.getPermissionType() == AclPermissionType.ACL_PERMISSION_UNKNOWN
                        || f.getPermissionType() == e.getPermissionType());
    }

    static ControllerResult<DeleteAclsResponse> deleteAcls(MetadataImage speculative, DeleteAclsRequest request) {
        List<MetadataRecord> records = new ArrayList<>();
        Set<UUID> removed = new HashSet<>();
        DeleteAclsResponse.Builder response = DeleteAclsResponse.newBuilder().setError(ControllerErrors.ok());
        List<AclEntry> all = new ArrayList<>(speculative.acls().acls().values());
        all.sort(Comparator.comparing(AclEntry::id));
        for (AclFilter filter : request.getFiltersList()) {
            AclFilterResult.Builder result = AclFilterResult.newBuilder().setErrorCode(ErrorCode.NONE);
            for (AclEntry entry : all) {
                if (matches(filter, entry.binding())) {
                    result.addDeleted(entry.binding());
                    if (removed.add(entry.id())) {
                        records.add(MetadataRecord.newBuilder().setRemoveAccessControlEntry(
                                RemoveAccessControlEntryRecord.newBuilder().setId(Uuids.toProto(entry.id()))).build());
                    }
                }
            }
            response.addResults(result);
        }
        return new ControllerResult<>(records, response.build());
    }
}
