package io.brook.client;

import java.util.Objects;

/**
 * One change of {@link BrookAdmin#incrementalAlterConfigs}: set a key to a value, or delete the
 * resource's own value so that the default applies again.
 */
public record AlterConfigOp(OpType type, String name, String value) {
    public enum OpType { SET, DELETE }

    public AlterConfigOp {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        if (type == OpType.SET) {
            Objects.requireNonNull(value, "value");
        } else {
            value = "";
        }
    }

    public static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(OpType.SET, name, value);
    }

    public static AlterConfigOp delete(String name) {
        return new AlterConfigOp(OpType.DELETE, name, "");
    }
}
