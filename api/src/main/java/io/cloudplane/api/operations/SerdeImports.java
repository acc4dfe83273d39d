package io.cloudplane.api.operations;

import io.cloudplane.workflows.common.OperationStep;
import io.micronaut.serde.annotation.SerdeImport;

/** Workflow records that the API shows as they are; the workflows module has no serde annotations. */
@SerdeImport(OperationStep.class)
final class SerdeImports {
    private SerdeImports() {
    }
}
