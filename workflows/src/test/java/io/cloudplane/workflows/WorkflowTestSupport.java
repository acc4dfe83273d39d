package io.cloudplane.workflows;

import io.cloudplane.workflows.environment.DatabaseActivities;
import io.cloudplane.workflows.environment.EnvironmentActivities;
import io.cloudplane.workflows.environment.FileActivities;
import io.cloudplane.workflows.server.RuntimeActivities;
import io.cloudplane.workflows.code.CodeActivities;
import io.cloudplane.workflows.backup.RestoreActivities;
import io.cloudplane.workflows.operation.OperationActivities;
import io.cloudplane.workflows.operation.OperationProgress;
import io.cloudplane.workflows.operation.OperationStep;
import io.cloudplane.workflows.release.DeploymentActivities;
import io.cloudplane.workflows.release.PromotionActivities;
import io.cloudplane.workflows.release.PromotionStatus;
import io.cloudplane.workflows.release.PromotionView;
import io.cloudplane.workflows.release.ReleaseActivities;
import io.cloudplane.workflows.server.ServerUpdateActivities;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

/** Mocked activities for workflow tests; the operation and promotion reporters keep what they were told. */
public class WorkflowTestSupport {
    public final DatabaseActivities databases = mock(DatabaseActivities.class, withSettings().withoutAnnotations());
    public final FileActivities files = mock(FileActivities.class, withSettings().withoutAnnotations());
    public final RuntimeActivities runtime = mock(RuntimeActivities.class, withSettings().withoutAnnotations());
    public final EnvironmentActivities environments = mock(EnvironmentActivities.class, withSettings().withoutAnnotations());
    public final RecordingOperations operations = new RecordingOperations();
    public final io.cloudplane.workflows.backup.BackupActivities backups =
            mock(io.cloudplane.workflows.backup.BackupActivities.class, withSettings().withoutAnnotations());
    public final CodeActivities code = mock(CodeActivities.class, withSettings().withoutAnnotations());
    public final ReleaseActivities releases = mock(ReleaseActivities.class, withSettings().withoutAnnotations());
    public final DeploymentActivities deployments = mock(DeploymentActivities.class, withSettings().withoutAnnotations());
    public final RestoreActivities restores = mock(RestoreActivities.class, withSettings().withoutAnnotations());
    public final RecordingPromotions promotions = new RecordingPromotions();
    public final ServerUpdateActivities serverUpdates = mock(ServerUpdateActivities.class, withSettings().withoutAnnotations());

    public Object[] all() {
        return new Object[]{databases, files, runtime, environments, operations, backups, code, releases, deployments, restores,
                promotions, serverUpdates};
    }

    public static final class RecordingOperations implements OperationActivities {
        public final List<OperationProgress> reports = new CopyOnWriteArrayList<>();
        /** How many of the next reports fail, as a write does while the database refuses connections. */
        public final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void record(OperationProgress progress) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("Connection refused: the database is unreachable");
            }
            reports.add(progress);
        }

        public OperationProgress last() {
            return reports.get(reports.size() - 1);
        }

        /** The step of that name in the last report. */
        public OperationStep lastStep(String name) {
            return last().steps().stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no step " + name + " in " + last().steps()));
        }

        public List<String> lastStepNames() {
            return last().steps().stream().map(OperationStep::name).toList();
        }
    }

    /** The promotion's local activity: keeps each view it was told, with the (test) time it was told. */
    public static final class RecordingPromotions implements PromotionActivities {
        public final List<PromotionView> views = new CopyOnWriteArrayList<>();
        public final List<Long> times = new CopyOnWriteArrayList<>();
        public volatile LongSupplier clock = () -> 0L;
        /** How long the write of a decision's view (the one the Update handler records) takes; 0 is at once. */
        public volatile long decisionWriteMillis = 0;

        @Override
        public void recordPromotion(PromotionView view) {
            if (decisionWriteMillis > 0 && view.decision() != null && view.status() == PromotionStatus.AWAITING_APPROVAL) {
                try {
                    Thread.sleep(decisionWriteMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            times.add(clock.getAsLong());
            views.add(view);
        }

        public PromotionView last() {
            return views.get(views.size() - 1);
        }

        /** The statuses recorded, with repeats of the same status in a row collapsed. */
        public List<PromotionStatus> statuses() {
            List<PromotionStatus> out = new java.util.ArrayList<>();
            for (PromotionView v : views) {
                if (out.isEmpty() || !out.get(out.size() - 1).equals(v.status())) {
                    out.add(v.status());
                }
            }
            return out;
        }
    }
}
