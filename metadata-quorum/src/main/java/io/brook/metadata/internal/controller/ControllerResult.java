package io.brook.metadata.internal.controller;

import io.brook.api.internal.metadata.MetadataRecord;
import java.util.List;

/**
 * What a request turns into: the records to commit (one atomic batch; empty when nothing
 * changes) and the answer to send once they are committed.
 */
record ControllerResult<T>(List<MetadataRecord> records, T response) {
    ControllerResult {
        records = List.copyOf(records);
    }
}
