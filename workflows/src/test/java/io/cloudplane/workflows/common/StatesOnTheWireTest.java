package io.cloudplane.workflows.common;

import io.cloudplane.workflows.backup.BackupSchedule;
import io.cloudplane.workflows.backup.BackupStep;
import io.cloudplane.workflows.backup.ScheduleFrequency;
import io.cloudplane.workflows.release.PromotionStage;
import io.cloudplane.workflows.release.PromotionStatus;
import io.cloudplane.workflows.release.PromotionView;
import io.cloudplane.workflows.sandbox.LifecyclePhase;
import io.cloudplane.workflows.sandbox.LifecycleSchedule;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The states were strings in the payloads of saved histories and running workflows. As enums,
 * Temporal's JSON converter writes and reads them by name: the same payloads both ways.
 */
class StatesOnTheWireTest {
    private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

    @Test
    void aPromotionViewIsWrittenAndReadWithItsStatusAndStageByName() {
        PromotionView view = new PromotionView("p1", PromotionStatus.AWAITING_APPROVAL, PromotionStage.APPROVAL, "d1",
                "SUCCEEDED", null, null, 5L, null, null, 0L, null, null);
        String json = json(view);
        assertTrue(json.contains("\"status\":\"AWAITING_APPROVAL\""), json);
        assertTrue(json.contains("\"stage\":\"APPROVAL\""), json);
        assertEquals(view, read(json, PromotionView.class));
    }

    @Test
    void aScheduleIsWrittenAndReadWithItsFrequencyByName() {
        BackupSchedule schedule = new BackupSchedule(ScheduleFrequency.WEEKLY, "SATURDAY", "23:30", 4, 60, false);
        String json = json(schedule);
        assertTrue(json.contains("\"frequency\":\"WEEKLY\""), json);
        assertEquals(schedule, read(json, BackupSchedule.class));
    }

    @Test
    void aLifecycleScheduleIsWrittenAndReadWithItsPhaseByName() {
        LifecycleSchedule schedule = new LifecycleSchedule(LifecyclePhase.ASLEEP, 1L, null, 2L, List.of(3L), 4L);
        String json = json(schedule);
        assertTrue(json.contains("\"phase\":\"ASLEEP\""), json);
        assertEquals(schedule, read(json, LifecycleSchedule.class));
    }

    @Test
    void aBackupStepIsTheStringItWas() {
        assertEquals("\"UPLOADING\"", json(BackupStep.UPLOADING));
        assertEquals(BackupStep.VERIFYING, read("\"VERIFYING\"", BackupStep.class));
    }

    private static String json(Object value) {
        Optional<io.temporal.api.common.v1.Payloads> payloads = CONVERTER.toPayloads(value);
        return payloads.orElseThrow().getPayloads(0).getData().toString(StandardCharsets.UTF_8);
    }

    private static <T> T read(String json, Class<T> type) {
        var payload = io.temporal.api.common.v1.Payload.newBuilder()
                .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
                .setData(com.google.protobuf.ByteString.copyFromUtf8(json)).build();
        return CONVERTER.fromPayload(payload, type, type);
    }
}
