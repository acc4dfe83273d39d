package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The launcher refuses to start unless every kind whose request is stored has exactly one reader of it. */
class OperationLauncherTest {
    private static StoredRequest reader(OperationType type) {
        return new StoredRequest() {
            @Override
            public OperationType type() {
                return type;
            }

            @Override
            public Optional<?> read(OperationRecord op) {
                return Optional.empty();
            }
        };
    }

    private static List<StoredRequest> oneReaderPerStoredKind() {
        return new ArrayList<>(List.of(reader(OperationType.RESTORE_ENVIRONMENT), reader(OperationType.DEPLOY_RELEASE),
                reader(OperationType.UPDATE_SERVER)));
    }

    @Test
    void startsWithOneReaderPerKindWhoseRequestIsStored() {
        assertDoesNotThrow(() -> new OperationLauncher(null, null, oneReaderPerStoredKind()));
    }

    @Test
    void aStoredKindWithoutAReaderIsRefusedByName() {
        List<StoredRequest> readers = oneReaderPerStoredKind();
        readers.remove(1);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new OperationLauncher(null, null, readers));
        assertEquals("DEPLOY_RELEASE's request is stored with its operation, but no StoredRequest bean reads it", refused.getMessage());
    }

    @Test
    void aReaderForAKindMadeOfItsIdsOrASecondReaderIsRefused() {
        List<StoredRequest> extra = oneReaderPerStoredKind();
        extra.add(reader(OperationType.STOP_SERVER));
        assertThrows(IllegalStateException.class, () -> new OperationLauncher(null, null, extra));
        List<StoredRequest> twice = oneReaderPerStoredKind();
        twice.add(reader(OperationType.UPDATE_SERVER));
        assertThrows(IllegalStateException.class, () -> new OperationLauncher(null, null, twice));
    }
}
