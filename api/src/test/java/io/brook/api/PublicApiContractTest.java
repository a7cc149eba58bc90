package io.brook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.brook.api.v1.AdminProto;
import io.brook.api.v1.BrokerProto;
import io.brook.api.v1.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public API's conventions, checked on the compiled descriptors: every per-partition or
 * per-resource result carries an {@link ErrorCode} and a message a person can act on.
 */
class PublicApiContractTest {

    private static List<Descriptor> messages(FileDescriptor file) {
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : file.getMessageTypes()) {
            out.add(d);
            out.addAll(d.getNestedTypes());
        }
        return out;
    }

    private static boolean isResult(Descriptor d) {
        String name = d.getName();
        return name.endsWith("Result") || name.endsWith("PartitionResponse") || name.equals("PartitionMetadata")
                || name.equals("TopicMetadata") || name.equals("InitProducerIdResponse");
    }

    @Test
    void everyResultCarriesAnErrorCodeAndAMessage() {
        List<String> checked = new ArrayList<>();
        for (FileDescriptor file : List.of(BrokerProto.getDescriptor(), AdminProto.getDescriptor())) {
            for (Descriptor message : messages(file)) {
                FieldDescriptor code = message.findFieldByName("error_code");
                if (isResult(message) || code != null) {
                    checked.add(message.getName());
                    assertTrue(code != null, message.getFullName() + " has no error_code");
                    assertEquals(ErrorCode.getDescriptor(), code.getEnumType(), message.getFullName() + ".error_code");
                    FieldDescriptor text = message.findFieldByName("error_message");
                    assertTrue(text != null && text.getType() == FieldDescriptor.Type.STRING,
                            message.getFullName() + " has no error_message string");
                }
            }
        }
        assertTrue(checked.size() >= 12, "results checked: " + checked);
    }
}
