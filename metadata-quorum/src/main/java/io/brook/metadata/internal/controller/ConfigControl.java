package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.AlterConfigOp;
import io.brook.api.internal.controller.AlterConfigsResource;
import io.brook.api.internal.controller.AlterConfigsResourceResult;
import io.brook.api.internal.controller.AlterableConfig;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigException;
import io.brook.metadata.ConfigResource;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Incremental config changes: each resource's change is validated as a whole (the resulting
 * entries must parse against the resource's definitions) and becomes config records; a resource
 * with any problem changes nothing. Pure: the image in, records and the answer out.
 */
final class ConfigControl {
    private ConfigControl() {}

    static ControllerResult<IncrementalAlterConfigsResponse> incrementalAlterConfigs(MetadataImage speculative,
            IncrementalAlterConfigsRequest request, ConfigDefinitions topicConfigs, ConfigDefinitions brokerConfigs) {
        List<MetadataRecord> records = new ArrayList<>();
        IncrementalAlterConfigsResponse.Builder response = IncrementalAlterConfigsResponse.newBuilder().setError(ControllerErrors.ok());
        Set<ConfigResource> seen = new HashSet<>();
        for (AlterConfigsResource resource : request.getResourcesList()) {
            AlterConfigsResourceResult.Builder result = AlterConfigsResourceResult.newBuilder()
                    .setResourceType(resource.getResourceType()).setResourceName(resource.getResourceName());
            ConfigResource target = new ConfigResource(resource.getResourceType(), resource.getResourceName());
            ConfigDefinitions definitions = null;
            String problem = null;
            ErrorCode code = ErrorCode.INVALID_REQUEST;
            switch (resource.getResourceType()) {
                case CONFIG_RESOURCE_TOPIC -> {
                    definitions = topicConfigs;
                    if (speculative.topics().topic(resource.getResourceName()) == null) {
                        code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
                        problem = "topic " + resource.getResourceName() + " does not exist";
                    }
                }
                case CONFIG_RESOURCE_BROKER -> {
                    definitions = brokerConfigs;
                    if (!resource.getResourceName().matches("\\d{1,9}")) {
                        problem = "a broker config resource is named by the broker id, not '" + resource.getResourceName() + "'";
                    }
                }
                case CONFIG_RESOURCE_CLUSTER -> {
                    definitions = brokerConfigs;
                    if (!resource.getResourceName().isEmpty()) {
                        problem = "the cluster config resource has an empty name, not '" + resource.getResourceName() + "'";
                    }
                }
                default -> problem = "unknown config resource type " + resource.getResourceType();
            }
            if (problem == null && !seen.add(target)) {
                problem = "resource " + target + " appears more than once in the request";
            }
            Map<String, String> next = new HashMap<>(speculative.configs().configs(target));
            List<MetadataRecord> resourceRecords = new ArrayList<>();
            if (problem == null) {
                for (AlterableConfig entry : resource.getConfigsList()) {
                    if (definitions.key(entry.getName()) == null) {
                        code = ErrorCode.INVALID_CONFIG;
                        problem = "unknown config '" + entry.getName() + "' for " + describe(target);
                        break;
                    }
                    ConfigRecord.Builder record = ConfigRecord.newBuilder().setResourceType(target.type())
                            .setResourceName(target.name()).setName(entry.getName());
                    if (entry.getOp() == AlterConfigOp.ALTER_CONFIG_SET) {
                        next.put(entry.getName(), entry.getValue());
                        record.setValue(entry.getValue());
                    } else if (entry.getOp() == AlterConfigOp.ALTER_CONFIG_DELETE) {
                        next.remove(entry.getName());
                    } else {
                        problem = "unknown operation " + entry.getOp() + " for config '" + entry.getName() + "'";
                        break;
                    }
                    resourceRecords.add(MetadataRecord.newBuilder().setConfig(record).build());
                }
            }
            if (problem == null) {
                try {
                    definitions.parse(next);
                } catch (ConfigException e) {
                    code = ErrorCode.INVALID_CONFIG;
                    problem = "invalid config for " + describe(target) + ": " + e.getMessage();
                }
            }
            if (problem != null) {
                response.addResources(result.setErrorCode(code).setErrorMessage(problem));
            } else {
                records.addAll(resourceRecords);
                response.addResources(result.setErrorCode(ErrorCode.NONE));
            }
        }
        if (request.getValidateOnly()) {
            return new ControllerResult<>(List.of(), response.build());
        }
        return new ControllerResult<>(records, response.build());
    }

    static String describe(ConfigResource resource) {
        return switch (resource.type()) {
            case CONFIG_RESOURCE_TOPIC -> "topic " + resource.name();
            case CONFIG_RESOURCE_BROKER -> "broker " + resource.name();
            case CONFIG_RESOURCE_CLUSTER -> "the cluster";
            default -> resource.toString();
        };
    }
}
