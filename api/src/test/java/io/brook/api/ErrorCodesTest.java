package io.brook.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ErrorsProto;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodesTest {

    @Test
    void noneIsZeroAndNotRetriable() {
        assertEquals(0, ErrorCode.NONE.getNumber());
        assertFalse(ErrorCodes.isRetriable(ErrorCode.NONE));
    }

    @Test
    void everyCodeDeclaresWhetherItIsRetriable() {
        for (EnumValueDescriptor value : ErrorCode.getDescriptor().getValues()) {
            assertTrue(value.getOptions().hasExtension(ErrorsProto.retriable),
                    value.getName() + " must set [(retriable) = true|false] explicitly");
        }
    }

    @Test
    void numbersAreUnique() {
        Set<Integer> seen = new HashSet<>();
        for (EnumValueDescriptor value : ErrorCode.getDescriptor().getValues()) {
            assertTrue(seen.add(value.getNumber()), "number reused: " + value.getNumber());
        }
    }

    @Test
    void kafkaNumbersAreKeptWhereTheConceptIsTheSame() {
        // A few anchors from org.apache.kafka.common.protocol.Errors; a renumbering breaks them.
        assertEquals(2, ErrorCode.CORRUPT_MESSAGE.getNumber());
        assertEquals(6, ErrorCode.NOT_LEADER_OR_FOLLOWER.getNumber());
        assertEquals(10, ErrorCode.RECORD_TOO_LARGE.getNumber());
        assertEquals(19, ErrorCode.NOT_ENOUGH_REPLICAS.getNumber());
        assertEquals(45, ErrorCode.OUT_OF_ORDER_SEQUENCE.getNumber());
        assertEquals(56, ErrorCode.STORAGE_ERROR.getNumber());
        assertEquals(74, ErrorCode.FENCED_LEADER_EPOCH.getNumber());
        assertEquals(87, ErrorCode.INVALID_RECORD.getNumber());
    }

    @Test
    void retriabilityFollowsKafka() {
        assertTrue(ErrorCodes.isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER));
        assertTrue(ErrorCodes.isRetriable(ErrorCode.NOT_ENOUGH_REPLICAS));
        assertTrue(ErrorCodes.isRetriable(ErrorCode.STORAGE_ERROR));
        assertFalse(ErrorCodes.isRetriable(ErrorCode.RECORD_TOO_LARGE));
        assertFalse(ErrorCodes.isRetriable(ErrorCode.INVALID_CONFIG));
        assertFalse(ErrorCodes.isRetriable(ErrorCode.OUT_OF_ORDER_SEQUENCE));
        assertFalse(ErrorCodes.isRetriable(ErrorCode.UNRECOGNIZED));
    }
}
