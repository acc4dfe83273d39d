package io.cloudplane.api.operation;

import io.cloudplane.workflows.operation.OperationStep;
import io.micronaut.serde.annotation.SerdeImport;

/** Workflow records that the API shows as they are; the workflows module has no serde annotations. */
@SerdeImport(OperationStep.class)
final class SerdeImports {
    private SerdeImports() {
    }
}
