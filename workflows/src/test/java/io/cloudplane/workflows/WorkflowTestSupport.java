package io.cloudplane.workflows;

import io.cloudplane.workflows.activities.DatabaseActivities;
import io.cloudplane.workflows.activities.EnvironmentActivities;
import io.cloudplane.workflows.activities.FileActivities;
import io.cloudplane.workflows.activities.RuntimeActivities;
import io.cloudplane.workflows.common.OperationActivities;
import io.cloudplane.workflows.common.OperationProgress;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

/** Mocked activities for workflow tests; the operation reporter keeps what it was told. */
public class WorkflowTestSupport {
    public final DatabaseActivities databases = mock(DatabaseActivities.class, withSettings().withoutAnnotations());
    public final FileActivities files = mock(FileActivities.class, withSettings().withoutAnnotations());
    public final RuntimeActivities runtime = mock(RuntimeActivities.class, withSettings().withoutAnnotations());
    public final EnvironmentActivities environments = mock(EnvironmentActivities.class, withSettings().withoutAnnotations());
    public final RecordingOperations operations = new RecordingOperations();
    public final io.cloudplane.workflows.backup.BackupActivities backups =
            mock(io.cloudplane.workflows.backup.BackupActivities.class, withSettings().withoutAnnotations());

    public Object[] all() {
        return new Object[]{databases, files, runtime, environments, operations, backups};
    }

    public static final class RecordingOperations implements OperationActivities {
        public final List<OperationProgress> reports = new CopyOnWriteArrayList<>();

        @Override
        public void record(OperationProgress progress) {
            reports.add(progress);
        }

        public OperationProgress last() {
            return reports.get(reports.size() - 1);
        }
    }
}
