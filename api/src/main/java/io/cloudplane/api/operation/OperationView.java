package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.workflows.operation.OperationStep;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.Serdeable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An Operation as the API shows it. {@code temporalUiUrl} is its workflow's page in the Temporal UI,
 * present only where {@code CLOUDPLANE_TEMPORAL_UI_URL} is set ({@link TemporalUiSettings}).
 */
@Serdeable
public record OperationView(UUID id, String type, String status, UUID appId, @Nullable UUID envId, List<Step> steps,
                            @Nullable String error, String workflowId, @Nullable String runId, Instant createdAt, Instant updatedAt,
                            @Nullable String temporalUiUrl) {

    @Serdeable
    public record Step(String name, String status, Instant startedAt, @Nullable Instant endedAt, @Nullable String error) {
    }

    /** Without the Temporal UI's link: for the console's pages, which show their own. The API's views come from {@link Accepted#view}. */
    public static OperationView of(OperationRecord op, JsonMapper json) {
        return of(op, json, null);
    }

    public static OperationView of(OperationRecord op, JsonMapper json, @Nullable String temporalUiUrl) {
        try {
            List<Step> steps = json.readValue(op.steps(), Argument.listOf(OperationStep.class)).stream()
                    .map(step -> new Step(step.name(), step.status().name(), Instant.ofEpochMilli(step.startedAt()),
                            step.endedAt() == null ? null : Instant.ofEpochMilli(step.endedAt()), step.error()))
                    .toList();
            return new OperationView(op.id(), op.type().name(), op.status().name(), op.appId(), op.envId(), steps, op.error(),
                    op.workflowId(), op.runId(), op.createdAt(), op.updatedAt(), temporalUiUrl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
