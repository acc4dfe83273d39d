package io.cloudplane.infra.embedded;

import com.google.protobuf.util.Timestamps;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.internal.common.WorkflowExecutionUtils;
import io.temporal.internal.testservice.TestServicesStarter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * A namespace's retention period for Temporal's Java test server (1.38.0), which as it ships keeps
 * every run it ever had in memory: the run's mutable state ({@code TestWorkflowService.executions},
 * {@code executionsByWorkflowId}, {@code executionsByFirstExecutionRunId}), its history
 * ({@code TestWorkflowStoreImpl.histories}) and its search attributes
 * ({@code TestVisibilityStoreImpl.executionSearchAttributes}). An all-in-one that runs for weeks
 * would grow with every operation it ever ran.
 *
 * <p>Every sweep drops, from all of those maps, each run whose history ends with a close event
 * older than the retention, as a real Temporal namespace forgets a closed run once its retention
 * has passed. What Temporal then answers is what a real namespace answers after its retention, and
 * what the embedded server already answers after every restart (its state is in memory): NOT_FOUND
 * for a describe, a query, a signal or a history of that run, and a later start with the same ID
 * starts a new run whatever the ID reuse policy. Running runs are never touched; a latest-run entry
 * of a workflow ID, or of a continue-as-new chain, is removed only when it points at the dropped
 * run, so a newer run under the same ID stays reachable. A running child that still refers to its
 * closed parent keeps that parent's object alive until the child itself is dropped.
 *
 * <p>The server's timer queue ({@code SelfAdvancingTimerImpl.tasks}) holds the rest: every run
 * leaves timers there that are never taken out when it closes, each a callback that refers to the
 * run. A timeout Cloudplane leaves unset (a workflow's execution timeout, an activity's
 * schedule-to-start timeout) is a timer ten years ahead, so without more, a run dropped from the
 * maps would still stay in memory for ten years. A cancelled timer (a {@code Workflow.await} with a
 * timeout that ended early) is only flagged, and stays queued until its time. So each sweep also
 * takes out of the queue every cancelled timer and every timer whose callback refers to a run it
 * dropped: both would do nothing when they fire (the server's own pump discards a cancelled timer
 * when it reaches it, and a dropped run is closed).
 *
 * <p>The sweep takes the service's lock, then the store's, in the order the service itself takes
 * them. It reaches into private fields by reflection, as {@link TimeLockEventLog} does, and is
 * guarded: if a field is missing or of another type (a newer test server), nothing is dropped and a
 * warning is logged once.
 */
final class ClosedWorkflowRetention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClosedWorkflowRetention.class);
    private static final Duration LONGEST_SWEEP_INTERVAL = Duration.ofMinutes(1);
    private static final Duration SHORTEST_SWEEP_INTERVAL = Duration.ofMillis(200);

    private final Duration retention;
    private final Clock clock;
    private final Internals internals;
    private final ScheduledExecutorService sweeper;

    private ClosedWorkflowRetention(TestServicesStarter services, Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
        this.internals = Internals.of(services);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "embedded-temporal-retention");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts sweeping every {@link #sweepInterval}: a closed run is gone at most that long after its retention. */
    static ClosedWorkflowRetention start(TestServicesStarter services, Duration retention) {
        ClosedWorkflowRetention sweeper = new ClosedWorkflowRetention(services, retention, Clock.systemUTC());
        if (sweeper.internals != null) {
            long every = sweepInterval(retention).toMillis();
            sweeper.sweeper.scheduleWithFixedDelay(sweeper::sweepSafely, every, every, TimeUnit.MILLISECONDS);
        }
        return sweeper;
    }

    /** Half the retention, between 200 ms and one minute. */
    static Duration sweepInterval(Duration retention) {
        Duration half = retention.dividedBy(2);
        if (half.compareTo(SHORTEST_SWEEP_INTERVAL) < 0) {
            return SHORTEST_SWEEP_INTERVAL;
        }
        return half.compareTo(LONGEST_SWEEP_INTERVAL) > 0 ? LONGEST_SWEEP_INTERVAL : half;
    }

    private void sweepSafely() {
        try {
            int dropped = sweep();
            if (dropped > 0) {
                LOG.debug("Embedded Temporal: dropped {} runs closed more than {} ago", dropped, retention);
            }
        } catch (RuntimeException e) {
            LOG.warn("Embedded Temporal: the retention sweep failed; closed runs are kept until the next one", e);
        }
    }

    /** Drops every run closed for longer than the retention, and the timers that would only have woken it; returns how many runs. */
    int sweep() {
        if (internals == null) {
            return 0;
        }
        Set<Object> dropped = dropClosedRuns();
        internals.dropTimers(dropped);
        return dropped.size();
    }

    /** The states of the runs dropped from the service's and the store's maps. */
    private Set<Object> dropClosedRuns() {
        long cutoff = clock.millis() - retention.toMillis();
        Set<Object> droppedStates = Collections.newSetFromMap(new IdentityHashMap<>());
        internals.serviceLock.lock();
        try {
            List<Object> dropped = new ArrayList<>();
            internals.storeLock.lock();
            try {
                Iterator<? extends Map.Entry<?, ?>> histories = internals.histories.entrySet().iterator();
                while (histories.hasNext()) {
                    Map.Entry<?, ?> entry = histories.next();
                    if (closedBefore(internals.events(entry.getValue()), cutoff)) {
                        histories.remove();
                        dropped.add(entry.getKey());
                    }
                }
            } finally {
                internals.storeLock.unlock();
            }
            for (Object executionId : dropped) {
                Object state = internals.executions.remove(executionId);
                internals.searchAttributes.remove(executionId);
                if (state != null) {
                    droppedStates.add(state);
                    internals.latestByWorkflowId.values().removeIf(latest -> latest == state);
                    internals.latestByChain.values().removeIf(latest -> latest == state);
                }
            }
            return droppedStates;
        } finally {
            internals.serviceLock.unlock();
        }
    }

    private static boolean closedBefore(List<HistoryEvent> events, long cutoffMillis) {
        if (events.isEmpty()) {
            return false;
        }
        HistoryEvent last = events.get(events.size() - 1);
        return WorkflowExecutionUtils.isWorkflowExecutionClosedEvent(last)
                && Timestamps.toMillis(last.getEventTime()) <= cutoffMillis;
    }

    /** Runs held by the server (running and closed): its mutable states and its histories. For tests and diagnostics. */
    Held held() {
        if (internals == null) {
            return new Held(-1, -1, -1);
        }
        internals.serviceLock.lock();
        try {
            internals.storeLock.lock();
            try {
                return new Held(internals.executions.size(), internals.histories.size(), internals.latestByWorkflowId.size());
            } finally {
                internals.storeLock.unlock();
            }
        } finally {
            internals.serviceLock.unlock();
        }
    }

    /** Counts of what the server holds: runs' mutable states, runs' histories, workflow IDs with a latest run. */
    record Held(int executions, int histories, int workflowIds) {
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    /** The test server's private maps and locks, read once; null when the server is not shaped as expected. */
    private record Internals(Lock serviceLock, Map<?, ?> executions, Map<?, ?> latestByWorkflowId, Map<?, ?> latestByChain,
                             Lock storeLock, Map<?, ?> histories, Field historyEvents, Map<?, ?> searchAttributes,
                             Lock timerLock, Collection<?> timers, Field timerCancelled, Field timerCallback) {

        static Internals of(TestServicesStarter services) {
            try {
                Object service = field(services.getClass(), "workflowService").get(services);
                Object store = field(services.getClass(), "workflowStore").get(services);
                Object visibility = field(services.getClass(), "visibilityStore").get(services);
                Object timer = field(services.getClass(), "selfAdvancingTimer").get(services);
                Object timers = field(timer.getClass(), "tasks").get(timer);
                if (!(timers instanceof PriorityQueue<?>)) {
                    throw new NoSuchFieldException("the timer's tasks are a " + timers.getClass().getName());
                }
                Class<?> timerTask = Class.forName(timer.getClass().getName() + "$TimerTask");
                Class<?> historyStore = Class.forName(store.getClass().getName() + "$HistoryStore");
                Field events = field(historyStore, "history");
                if (!List.class.isAssignableFrom(events.getType())) {
                    throw new NoSuchFieldException("HistoryStore.history is a " + events.getType().getName());
                }
                return new Internals(
                        (Lock) field(service.getClass(), "lock").get(service),
                        map(service, "executions"),
                        map(service, "executionsByWorkflowId"),
                        map(service, "executionsByFirstExecutionRunId"),
                        (Lock) field(store.getClass(), "lock").get(store),
                        map(store, "histories"),
                        events,
                        map(visibility, "executionSearchAttributes"),
                        (Lock) field(timer.getClass(), "lock").get(timer),
                        (Collection<?>) timers,
                        field(timerTask, "canceled"),
                        field(timerTask, "runnable"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("The embedded Temporal's runs could not be reached ({}): closed runs will be kept forever", e.toString());
                return null;
            }
        }

        /**
         * Takes out the cancelled timers and those whose callback holds one of {@code droppedStates}
         * (the server's callbacks are lambdas that capture the run's state). The timer's pump
         * re-reads the queue's head each time it wakes, under this same lock.
         */
        void dropTimers(Set<Object> droppedStates) {
            timerLock.lock();
            try {
                timers.removeIf(task -> (boolean) read(timerCancelled, task) || refersTo(read(timerCallback, task), droppedStates));
            } finally {
                timerLock.unlock();
            }
        }

        private static boolean refersTo(Object callback, Set<Object> states) {
            if (callback == null || states.isEmpty()) {
                return false;
            }
            for (Field captured : callback.getClass().getDeclaredFields()) {
                if (!Modifier.isStatic(captured.getModifiers()) && !captured.getType().isPrimitive()) {
                    captured.setAccessible(true);
                    if (states.contains(read(captured, callback))) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static Object read(Field field, Object owner) {
            try {
                return field.get(owner);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        @SuppressWarnings("unchecked")
        List<HistoryEvent> events(Object historyStore) {
            return (List<HistoryEvent>) read(historyEvents, historyStore);
        }

        private static Map<?, ?> map(Object owner, String name) throws ReflectiveOperationException {
            Object value = field(owner.getClass(), name).get(owner);
            if (!(value instanceof Map<?, ?> map)) {
                throw new NoSuchFieldException(owner.getClass().getSimpleName() + "." + name + " is not a map");
            }
            return map;
        }

        private static Field field(Class<?> type, String name) throws NoSuchFieldException {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        }
    }
}
