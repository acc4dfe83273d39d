package io.cloudplane.activities.common;

import io.cloudplane.infra.backup.Progress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;

/** An infra service's {@link Progress} turned into heartbeats of the running activity (bytes read as their detail). */
public final class Heartbeats {
    private Heartbeats() {
    }

    /** Heartbeats of the activity running on this thread; the result may be called from any thread. */
    public static Progress ofCurrentActivity() {
        ActivityExecutionContext context = Activity.getExecutionContext();
        return new Progress() {
            @Override
            public void alive() {
                context.heartbeat(null);
            }

            @Override
            public void bytes(long soFar) {
                context.heartbeat(soFar);
            }
        };
    }
}
